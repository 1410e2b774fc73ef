package main

import (
	"flag"
	"log/slog"
	"path/filepath"

	"github.com/zhuisu/zhuisu/access"
	"github.com/zhuisu/zhuisu/audit"
	"github.com/zhuisu/zhuisu/auth"
	"github.com/zhuisu/zhuisu/persons"
	"github.com/zhuisu/zhuisu/registry"
	"github.com/zhuisu/zhuisu/store"
)

// personFlags registers the flags of the registry of natural persons.
func personFlags(fs *flag.FlagSet, c *Config) {
	fs.StringVar(&c.PersonKey, "person-key", envDefault("ZHUISU_PERSON_KEY", ""), "the key file sealing natural persons' data; empty: DATA/person.key, created on first start (mode 0600). Keep it apart from database backups; processes sharing one database must share it (ZHUISU_PERSON_KEY)")
	fs.StringVar(&c.PersonCipher, "person-cipher", envDefault("ZHUISU_PERSON_CIPHER", persons.CipherAES), "how new persons are sealed: aes-256-gcm, or sm4-gcm for national-cryptography deployments (ZHUISU_PERSON_CIPHER)")
}

func (c *Config) personKeyPath() string {
	if c.PersonKey != "" {
		return c.PersonKey
	}
	return filepath.Join(c.DataDir, "person.key")
}

// registryServices builds the audit log, the registry of persons (loading or creating
// its key) and the registry of subjects, and makes the accounts service audit sign-ins.
func registryServices(c *Config, st store.Store, a *auth.Service, log *slog.Logger) (*audit.Service, *persons.Service, *registry.Service, error) {
	auditSvc := audit.New(st, log)
	a.Audit = auditSvc
	key, err := persons.LoadKey(c.personKeyPath())
	if err != nil {
		return nil, nil, nil, err
	}
	personSvc, err := persons.New(st, auditSvc, key, c.PersonCipher)
	if err != nil {
		return nil, nil, nil, err
	}
	personSvc.Scopes = access.New(st)
	return auditSvc, personSvc, registry.New(st, a, auditSvc), nil
}
