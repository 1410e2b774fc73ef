package recall_test

import (
	"errors"
	"strings"

	"github.com/zhuisu/zhuisu"
)

func asError(err error, target **zhuisu.Error) bool { return errors.As(err, target) }

func containsString(s, sub string) bool { return strings.Contains(s, sub) }
