package cases_test

import (
	"errors"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/fault"
)

func posted() cases.Outgoing {
	return cases.Outgoing{
		Kind: cases.KindIdentityRequest, Channel: cases.ChannelPost,
		To:       cases.PostalBlock("Ada Lovelace", []string{"12 St James's Square", "London", "SW1Y 4JH"}),
		Template: "identity_request", TemplateVersion: "1",
		Body: cases.MessageBody{Subject: "We need proof of identity", Text: "# We need proof of identity\n"},
	}
}

func TestPostalBlockKeepsTheNameAndEachLine(t *testing.T) {
	name, lines := cases.SplitPostalBlock(posted().To)
	if name != "Ada Lovelace" || len(lines) != 3 || lines[2] != "SW1Y 4JH" {
		t.Errorf("split %q into %q and %q", posted().To, name, lines)
	}
}

func TestAPostedLetterWaitsToBePrintedUntilMarkedPosted(t *testing.T) {
	c := newCase(t)
	version, etag := c.Version, c.Etag()
	m, _, err := cases.Queue(c, posted(), env())
	if err != nil {
		t.Fatal(err)
	}
	if !m.ToPrint() || m.Undelivered() {
		t.Fatalf("a queued posted letter: to print %v, undelivered %v; want to print, not undelivered", m.ToPrint(), m.Undelivered())
	}
	id := m.ID
	later := env()
	later.Now = later.Now.Add(26 * time.Hour)
	later.Actor = "staff:ada"
	change, err := cases.MarkPosted(c, id, later)
	if err != nil {
		t.Fatal(err)
	}
	m, _ = c.Message(id)
	if m.ToPrint() || m.Delivery.State != cases.DeliverySent || m.Delivery.SentAt == nil || !m.Delivery.SentAt.Equal(later.Now) {
		t.Errorf("after MarkPosted: %+v, want sent at %v", m.Delivery, later.Now)
	}
	if change.Action != "case.message_posted" || change.After["message_id"] != id || change.After["posted_on"] != "2026-02-03" ||
		change.Before["delivery"] != "queued" || change.After["delivery"] != "sent" {
		t.Errorf("change %+v", change)
	}
	if c.Version != version || c.Etag() != etag {
		t.Errorf("marking a letter posted moved the case from version %d to %d: staff forms would go stale", version, c.Version)
	}
}

func TestMarkPostedRefusesWhatIsNotALetterWaitingToBePrinted(t *testing.T) {
	c := newCase(t)
	post, _, err := cases.Queue(c, posted(), env())
	if err != nil {
		t.Fatal(err)
	}
	postID := post.ID
	mail, _, err := cases.Queue(c, letter(), env())
	if err != nil {
		t.Fatal(err)
	}
	mailID := mail.ID
	if _, err := cases.MarkPosted(c, postID, env()); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		id   string
		want any
	}{
		"posted already": {postID, new(*fault.FailedPrecondition)},
		"an email":       {mailID, new(*fault.FailedPrecondition)},
		"no such letter": {"01NOSUCHMESSAGE0000000000", new(*fault.NotFound)},
	} {
		t.Run(name, func(t *testing.T) {
			before := *c.Messages[0].Delivery
			_, err := cases.MarkPosted(c, tc.id, env())
			if err == nil || !errors.As(err, tc.want) {
				t.Fatalf("MarkPosted = %v, want a %T", err, tc.want)
			}
			if *c.Messages[0].Delivery != before {
				t.Errorf("a refused MarkPosted changed the letter: %+v", c.Messages[0].Delivery)
			}
		})
	}
}
