package main

import (
	"context"
	"fmt"
	"io"

	rdv1 "github.com/rightsdesk/rightsdesk/gen/go/rightsdesk/v1"
	"github.com/rightsdesk/rightsdesk/internal/users"
)

func runUsersUnlock(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return onAccount(ctx, "unlock", args, stderr, func(book accountBook, who string) error {
		u, err := book.(accountEditor).unlock(ctx, who)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(stdout, "Account %s (%s) is unlocked; its password is unchanged.\n", u.ID, u.Email)
		return err
	})
}

func (l localAccounts) unlock(ctx context.Context, who string) (*users.User, error) {
	return l.d.Unlock(ctx, who, cliActor())
}

func (r remoteAccounts) unlock(ctx context.Context, who string) (*users.User, error) {
	id, err := r.id(ctx, who)
	if err != nil {
		return nil, err
	}
	resp, err := r.c.admin().UnlockUser(ctx, &rdv1.UnlockUserRequest{Name: "users/" + id})
	if err != nil {
		return nil, r.c.explain(err)
	}
	return userFromProto(resp), nil
}
