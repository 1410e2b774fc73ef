package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/puddle/v2"
	"github.com/zhuisu/zhuisu"
)

func TestMapErrByCode(t *testing.T) {
	pg := func(code string) error {
		return fmt.Errorf("wrapped: %w", &pgconn.PgError{Code: code, Message: "duplicate key"})
	}
	for _, tc := range []struct {
		err  error
		want zhuisu.Code
	}{
		{pg("23505"), zhuisu.EConflict},
		{pg("23502"), zhuisu.EInternal},
		{pg("57014"), zhuisu.EUnavailable},
		{pg("40001"), zhuisu.EUnavailable},
		{pg("40P01"), zhuisu.EUnavailable},
		{pg("08006"), zhuisu.EUnavailable},
		{pg("53100"), zhuisu.EUnavailable},
		{pg("57P01"), zhuisu.EUnavailable},
		{pg("22021"), zhuisu.EInvalid},
		{pg("42P01"), zhuisu.EInternal},
		{pgx.ErrNoRows, zhuisu.ENotFound},
		{fmt.Errorf("x: %w", context.Canceled), zhuisu.EUnavailable},
		{context.DeadlineExceeded, zhuisu.EUnavailable},
		{io.ErrUnexpectedEOF, zhuisu.EUnavailable},
		{puddle.ErrClosedPool, zhuisu.EUnavailable},
		{errors.New("something else"), zhuisu.EInternal},
		{zhuisu.Errorf(zhuisu.EInvalid, "kept"), zhuisu.EInvalid},
	} {
		got := mapErr(tc.err, "thing")
		if c := zhuisu.ErrorCode(got); c != tc.want {
			t.Errorf("mapErr(%v) = %v (%s), want %s", tc.err, got, c, tc.want)
		}
		if !errors.Is(got, tc.err) {
			t.Errorf("mapErr(%v) lost its cause", tc.err)
		}
	}
	if m := zhuisu.ErrorMessage(mapErr(&pgconn.PgError{Code: "23505", Message: "secret detail"}, "token")); m != "token: already exists" {
		t.Errorf("message %q", m)
	}
}
