package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/zhuisu/zhuisu/tlog"
)

// logKeys loads the log's signing key from keyPath, generating it (with its public key
// beside it, keyPath without ".key" plus ".pub") on first start. The log's origin is the
// key's name, fixed when the key is made, so checkpoints stay verifiable across restarts.
func logKeys(keyPath, origin, keyType string) (tlog.Signer, tlog.Verifier, string, error) {
	b, err := os.ReadFile(keyPath)
	if errors.Is(err, fs.ErrNotExist) {
		var skey, vkey string
		switch keyType {
		case "", "ed25519":
			skey, vkey, err = tlog.GenerateEd25519(origin)
		case "sm2":
			skey, vkey, err = tlog.GenerateSM2(origin)
		default:
			return nil, nil, "", fmt.Errorf("-log-key-type %q: want ed25519 or sm2", keyType)
		}
		if err != nil {
			return nil, nil, "", fmt.Errorf("generate the log key: %w", err)
		}
		if err := os.MkdirAll(filepath.Dir(keyPath), 0o700); err != nil {
			return nil, nil, "", err
		}
		if err := os.WriteFile(keyPath, []byte(skey+"\n"), 0o600); err != nil {
			return nil, nil, "", err
		}
		if err := os.WriteFile(pubPath(keyPath), []byte(vkey+"\n"), 0o644); err != nil {
			return nil, nil, "", err
		}
		b = []byte(skey)
	} else if err != nil {
		return nil, nil, "", err
	}
	signer, err := tlog.ParseSignerKey(strings.TrimSpace(string(b)))
	if err != nil {
		return nil, nil, "", fmt.Errorf("log key %s: %w", keyPath, err)
	}
	vkey, err := tlog.VerifierKeyOf(strings.TrimSpace(string(b)))
	if err != nil {
		return nil, nil, "", fmt.Errorf("log key %s: %w", keyPath, err)
	}
	verifier, err := tlog.ParseVerifierKey(vkey)
	if err != nil {
		return nil, nil, "", err
	}
	return signer, verifier, vkey, nil
}

func pubPath(keyPath string) string { return strings.TrimSuffix(keyPath, ".key") + ".pub" }

// defaultOrigin names a new log after the machine.
func defaultOrigin() string {
	h, err := os.Hostname()
	if err != nil || h == "" {
		h = "localhost"
	}
	return "zhuisu/" + h
}
