package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/zhuisu/zhuisu/auth"
)

// accountFlags registers the flags of sign-in, sessions and lockout (serve and user).
func accountFlags(fs *flag.FlagSet, c *Config) {
	fs.DurationVar(&c.IdleTimeout, "idle-timeout", envDuration("ZHUISU_IDLE_TIMEOUT", auth.DefaultIdleTimeout), "end a signed-in session unused for this long (ZHUISU_IDLE_TIMEOUT)")
	fs.DurationVar(&c.SessionTimeout, "session-timeout", envDuration("ZHUISU_SESSION_TIMEOUT", auth.DefaultAbsoluteTimeout), "end a signed-in session this long after sign-in, however active (ZHUISU_SESSION_TIMEOUT)")
	fs.DurationVar(&c.Lockout, "lockout", envDuration("ZHUISU_LOCKOUT", auth.DefaultLockFor), "lock an account this long after 5 failed sign-ins in a row (ZHUISU_LOCKOUT)")
	fs.BoolVar(&c.LockoutUntilUnlocked, "lockout-until-unlocked", envDefault("ZHUISU_LOCKOUT_UNTIL_UNLOCKED", "") == "true", "keep a locked account locked until a security administrator unlocks it (ZHUISU_LOCKOUT_UNTIL_UNLOCKED=true)")
	fs.StringVar(&c.TOTPKey, "totp-key", envDefault("ZHUISU_TOTP_KEY", ""), "the file of the key that seals users' TOTP keys; empty: DATA/totp.key, created on first use. Processes sharing one database must share it (ZHUISU_TOTP_KEY)")
}

// configureAccounts gives the auth service its policy and TOTP key from c. Zero durations
// leave the service's defaults.
func configureAccounts(a *auth.Service, c *Config) error {
	path := c.TOTPKey
	if path == "" {
		path = filepath.Join(c.DataDir, "totp.key")
	}
	key, err := secretKey(filepath.Dir(path), filepath.Base(path))
	if err != nil {
		return err
	}
	if c.IdleTimeout < 0 || c.SessionTimeout < 0 || c.Lockout < 0 {
		return fmt.Errorf("-idle-timeout %v, -session-timeout %v, -lockout %v: none may be negative", c.IdleTimeout, c.SessionTimeout, c.Lockout)
	}
	if c.IdleTimeout > 0 && c.SessionTimeout > 0 && c.IdleTimeout > c.SessionTimeout {
		return fmt.Errorf("-idle-timeout %v is longer than -session-timeout %v", c.IdleTimeout, c.SessionTimeout)
	}
	a.TOTPKey, a.IdleTimeout, a.AbsoluteTimeout, a.LockFor = key, c.IdleTimeout, c.SessionTimeout, c.Lockout
	if c.LockoutUntilUnlocked {
		a.LockFor = -1
	}
	return nil
}

const userUsage = `usage:
  zhuisu user add    [-data DIR] [-db URL] -name NAME -role ROLE [-display-name N] [-department D] [-region R] [-subject USCC]
  zhuisu user list   [-data DIR] [-db URL]
  zhuisu user unlock [-data DIR] [-db URL] NAME
  zhuisu user passwd [-data DIR] [-db URL] NAME     reset to a new one-time password
  zhuisu user totp   [-data DIR] [-db URL] NAME     replace the TOTP key (lost authenticator)
  zhuisu user disable|enable [-data DIR] [-db URL] NAME

These act as the server's console: whoever can run them holds the database, so they may
manage every account, security administrators included (the API never creates those).
Roles: admin, security, auditor, regulator, enterprise_admin, enterprise.
`

// cmdUser manages accounts from the console.
func cmdUser(ctx context.Context, args []string, stdout io.Writer, log *slog.Logger) error {
	if len(args) == 0 {
		fmt.Fprint(stdout, userUsage)
		return exitError(2)
	}
	verb := args[0]
	c := &Config{}
	fs := flag.NewFlagSet("user "+verb, flag.ContinueOnError)
	storeFlags(fs, c)
	accountFlags(fs, c)
	var in auth.NewUser
	if verb == "add" {
		fs.StringVar(&in.Name, "name", "", "login name")
		fs.StringVar(&in.DisplayName, "display-name", "", "the person's name as shown")
		fs.StringVar(&in.Role, "role", "", "the one role: admin, security, auditor, regulator, enterprise_admin, enterprise")
		fs.StringVar(&in.Department, "department", "", "regulator: department code")
		fs.StringVar(&in.Region, "region", "", "regulator: GB/T 2260 region code")
		fs.StringVar(&in.Subject, "subject", "", "enterprise roles: unified social credit code")
	}
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	switch verb {
	case "add", "list":
		if fs.NArg() != 0 {
			return fmt.Errorf("user %s takes no arguments after its flags, got %q", verb, fs.Args())
		}
	case "unlock", "passwd", "totp", "disable", "enable":
		if fs.NArg() != 1 {
			return fmt.Errorf("user %s needs one login name", verb)
		}
	default:
		fmt.Fprint(stdout, userUsage)
		return exitError(2)
	}
	st, err := openStore(ctx, c)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := checkSchema(ctx, st, false, log); err != nil {
		return err
	}
	a := auth.New(st)
	if err := configureAccounts(a, c); err != nil {
		return err
	}
	console := auth.ConsolePrincipal()
	if verb == "add" {
		out, err := a.CreateUser(ctx, console, in)
		if err != nil {
			return err
		}
		printIssued(stdout, out)
		return nil
	}
	if verb == "list" {
		users, err := a.Users(ctx, console)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tROLE\tSCOPE\tTOTP\tSTATE\tID")
		now := time.Now()
		for _, u := range users {
			scope := u.Subject + u.Department
			if u.Region != "" {
				scope += "@" + u.Region
			}
			state := "active"
			switch {
			case u.Disabled:
				state = "disabled"
			case now.Before(u.LockedUntil):
				state = "locked until " + u.LockedUntil.Format(time.RFC3339)
			}
			totp := "no"
			if len(u.TOTPSecret) > 0 {
				totp = "yes"
			} else if u.TOTPRequired {
				totp = "required, not enrolled"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", u.Name, u.Role, scope, totp, state, u.ID)
		}
		return tw.Flush()
	}
	u, err := a.UserByName(ctx, console, fs.Arg(0))
	if err != nil {
		return err
	}
	switch verb {
	case "unlock":
		if _, err := a.Unlock(ctx, console, u.ID); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "unlocked %s\n", u.Name)
	case "passwd":
		out, err := a.ResetPassword(ctx, console, u.ID)
		if err != nil {
			return err
		}
		printIssued(stdout, out)
	case "totp":
		out, err := a.ResetTOTP(ctx, console, u.ID)
		if err != nil {
			return err
		}
		printIssued(stdout, out)
	case "disable", "enable":
		if _, err := a.SetDisabled(ctx, console, u.ID, verb == "disable"); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%sd %s\n", verb, u.Name)
	default:
		return errors.New("unreachable")
	}
	return nil
}

// printIssued shows secrets once; nothing keeps them in clear.
func printIssued(w io.Writer, in *auth.Issued) {
	fmt.Fprintf(w, "user      %s (%s, id %s)\n", in.User.Name, in.User.Role, in.User.ID)
	if in.Password != "" {
		fmt.Fprintf(w, "password  %s\n", in.Password)
	}
	if in.TOTPURI != "" {
		fmt.Fprintf(w, "totp      %s\n", in.TOTPURI)
	}
	if in.Password != "" || in.TOTPURI != "" {
		fmt.Fprintln(w, "These are shown once: hand them to the person over a trusted channel. The TOTP URI goes into an authenticator app (as a QR code or typed).")
	}
}
