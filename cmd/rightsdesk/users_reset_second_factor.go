package main

import (
	"context"
	"fmt"
	"io"

	rdv1 "github.com/rightsdesk/rightsdesk/gen/go/rightsdesk/v1"
	"github.com/rightsdesk/rightsdesk/internal/users"
)

// runUsersResetSecondFactor is how the only administrator gets back in
// after losing both their authenticator and their recovery codes: on the
// server's machine, through the admin socket or with the server stopped.
func runUsersResetSecondFactor(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return onAccount(ctx, "reset-second-factor", args, stderr, func(book accountBook, who string) error {
		u, err := book.(accountEditor).resetSecondFactor(ctx, who)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(stdout, "Account %s (%s) has no two-step verification now and is signed out everywhere; its password is unchanged.\n", u.ID, u.Email)
		return err
	})
}

func (l localAccounts) resetSecondFactor(ctx context.Context, who string) (*users.User, error) {
	return l.d.ResetSecondFactor(ctx, who, cliActor())
}

func (r remoteAccounts) resetSecondFactor(ctx context.Context, who string) (*users.User, error) {
	id, err := r.id(ctx, who)
	if err != nil {
		return nil, err
	}
	resp, err := r.c.admin().ResetUserSecondFactor(ctx, &rdv1.ResetUserSecondFactorRequest{Name: "users/" + id})
	if err != nil {
		return nil, r.c.explain(err)
	}
	return userFromProto(resp), nil
}
