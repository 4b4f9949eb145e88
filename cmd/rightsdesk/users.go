package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/term"

	"github.com/rightsdesk/rightsdesk/internal/accounts"
	"github.com/rightsdesk/rightsdesk/internal/auth"
	"github.com/rightsdesk/rightsdesk/internal/clock"
	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/users"
)

// stdin is where `users create` reads the password from; tests replace it.
// A password is never a flag: flags end up in shell history and in the
// process list for every user on the machine to read.
var stdin io.Reader = os.Stdin

// openDirectory opens the accounts in dir for the commands that change
// them.
func openDirectory(ctx context.Context, dir string) (*accounts.Directory, func() error, error) {
	st, err := openStore(ctx, dir)
	if err != nil {
		return nil, nil, err
	}
	return accounts.New(st, clock.System{}, rand.Reader, accounts.Options{}), st.Close, nil
}

// openDirectoryReadOnly opens the accounts in dir for `users list`, which
// creates nothing and writes nothing.
func openDirectoryReadOnly(ctx context.Context, dir string) (*accounts.Directory, func() error, error) {
	st, err := openStoreReadOnly(ctx, dir)
	if err != nil {
		return nil, nil, err
	}
	return accounts.New(st, clock.System{}, rand.Reader, accounts.Options{}), st.Close, nil
}

func runUsersCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("users create", stderr)
	dataDir := fs.String("data", "./rightsdesk-data", dataFlagUsage)
	roleName := fs.String("role", "", "viewer, caseworker or admin (required)")
	name := fs.String("name", "", "the person's name as colleagues know it (required)")
	email := fs.String("email", "", "the address they sign in with (required)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *roleName == "" || *name == "" || *email == "" {
		fmt.Fprintln(stderr, "usage: rightsdesk users create --role viewer|caseworker|admin --name NAME --email EMAIL [--data DIR] < password")
		return errUsage
	}
	role, err := auth.ParseRole(*roleName)
	if err != nil {
		return fmt.Errorf("--role: %w", err)
	}
	password, err := readPassword(stdin, stderr)
	if err != nil {
		return err
	}
	d, closeStore, err := openDirectory(ctx, *dataDir)
	if err != nil {
		return err
	}
	defer closeStore()
	u, err := d.Create(ctx, users.NewUser{Email: *email, Name: *name, Role: role, Password: password, By: cliActor()})
	var inv *fault.InvalidArgument
	if errors.As(err, &inv) {
		for _, v := range inv.Violations {
			fmt.Fprintf(stderr, "--%s: %s\n", v.Field, v.Description)
		}
		return errUsage
	}
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "Created %s account %s for %s (%s).\n", u.Role, u.ID, u.Email, u.Name)
	return err
}

// readPassword prompts twice without echo on a terminal; otherwise it reads
// the first line, so `users create ... < file` and pipes work in scripts.
func readPassword(in io.Reader, stderr io.Writer) (string, error) {
	if f, ok := in.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprintf(stderr, "Password (at least %d characters): ", users.MinPasswordLength)
		first, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		fmt.Fprint(stderr, "The same again: ")
		second, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		if string(first) != string(second) {
			return "", errors.New("the two passwords differ; nothing was created")
		}
		return string(first), nil
	}
	line, err := bufio.NewReader(in).ReadString('\n')
	if err != nil && (!errors.Is(err, io.EOF) || line == "") {
		return "", errors.New("no password on standard input: type it at the prompt, or pipe it in on one line")
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func runUsersList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("users list", stderr)
	dataDir := fs.String("data", "./rightsdesk-data", dataFlagUsage)
	asJSON := fs.Bool("json", false, "print each account as JSON, one per line")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	d, closeStore, err := openDirectoryReadOnly(ctx, *dataDir)
	if err != nil {
		return err
	}
	defer closeStore()
	list, err := d.List(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		for _, u := range list {
			if err := enc.Encode(u); err != nil {
				return err
			}
		}
		return nil
	}
	if len(list) == 0 {
		fmt.Fprintln(stderr, "No accounts yet: create one with `rightsdesk users create --role admin --name NAME --email EMAIL`.")
		return nil
	}
	now := time.Now()
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tEMAIL\tNAME\tROLE\tCREATED\tLAST SIGN-IN\tSTATE")
	for _, u := range list {
		last := "never"
		if !u.LastSignIn.IsZero() {
			last = u.LastSignIn.UTC().Format(time.RFC3339)
		}
		state := "active"
		switch {
		case u.Disabled:
			state = "disabled"
		case u.Locked(now):
			state = "locked until " + u.LockedUntil.UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", u.ID, u.Email, u.Name, u.Role, u.Created.UTC().Format(time.RFC3339), last, state)
	}
	return tw.Flush()
}

func runUsersDisable(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return onAccount(ctx, "disable", args, stderr, func(d *accounts.Directory, who string) error {
		u, err := d.Disable(ctx, who, cliActor())
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(stdout, "Disabled account %s (%s): it can no longer sign in; its cases and audit history keep its name.\n", u.ID, u.Email)
		return err
	})
}

func runUsersResetPassword(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return onAccount(ctx, "reset-password", args, stderr, func(d *accounts.Directory, who string) error {
		password, err := readPassword(stdin, stderr)
		if err != nil {
			return err
		}
		u, err := d.ResetPassword(ctx, who, password, cliActor())
		var inv *fault.InvalidArgument
		if errors.As(err, &inv) {
			for _, v := range inv.Violations {
				fmt.Fprintf(stderr, "%s: %s\n", v.Field, v.Description)
			}
			return errUsage
		}
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(stdout, "New password set for %s (%s); the account is active and unlocked.\n", u.ID, u.Email)
		return err
	})
}

// onAccount runs `users VERB [--data DIR] ID|EMAIL` on the named account.
func onAccount(ctx context.Context, verb string, args []string, stderr io.Writer, run func(d *accounts.Directory, who string) error) error {
	fs := newFlags("users "+verb, stderr)
	dataDir := fs.String("data", "./rightsdesk-data", dataFlagUsage)
	flags, who := splitPositional(fs, args)
	if err := parseFlags(fs, flags); err != nil {
		return err
	}
	if len(who) != 1 {
		fmt.Fprintf(stderr, "usage: rightsdesk users %s [--data DIR] ID|EMAIL   (see `rightsdesk users list`)\n", verb)
		return errUsage
	}
	d, closeStore, err := openDirectory(ctx, *dataDir)
	if err != nil {
		return err
	}
	defer closeStore()
	err = run(d, strings.TrimSpace(who[0]))
	var nf *fault.NotFound
	if errors.As(err, &nf) {
		return fmt.Errorf("no account has the id or email %q; see `rightsdesk users list`", who[0])
	}
	return err
}
