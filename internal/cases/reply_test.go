package cases_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/fault"
)

func storedFile(name string) cases.File {
	return cases.File{Key: "case/files/k1", Name: name, MediaType: cases.MediaPDF, Size: 1234, SHA256: strings.Repeat("ab", 32)}
}

// requesterEnv is the status page's actor on day.
func requesterEnv(day string) cases.Env {
	env := envOn(day)
	env.Actor = "requester"
	return env
}

func TestRequesterReplyRestartsTheClockOnlyWhileWaiting(t *testing.T) {
	const replied = "2026-02-10"
	tests := []struct {
		name string
		// ask is what staff asked for on 2026-02-02, "" for nothing.
		ask cases.WaitingFor
		// check looks at the case after the reply; before is the clock
		// before it.
		check func(t *testing.T, c *cases.Case, before cases.Clock)
	}{
		{"identity", cases.WaitingForIdentity, func(t *testing.T, c *cases.Case, _ cases.Clock) {
			// Sending something is not proving who you are: staff check it.
			if c.IdentityStatus != cases.IdentityReceived || c.IdentityReceivedOn != replied || c.Clock.Start != replied {
				t.Errorf("identity %s received %s clock start %s; want it received, not verified, and the clock to start on the reply's date %s", c.IdentityStatus, c.IdentityReceivedOn, c.Clock.Start, replied)
			}
		}},
		{"fee", cases.WaitingForFee, func(t *testing.T, c *cases.Case, _ cases.Clock) {
			if c.FeeStatus != cases.FeeReceived || c.FeeReceivedOn != replied || c.Clock.Start != replied {
				t.Errorf("fee %s received %s clock start %s; want %s", c.FeeStatus, c.FeeReceivedOn, c.Clock.Start, replied)
			}
		}},
		{"clarification", cases.WaitingForClarification, func(t *testing.T, c *cases.Case, _ cases.Clock) {
			if got := c.Clarifications[0]; got.Asked != "2026-02-02" || got.Answered != replied {
				t.Errorf("clarification %+v; want answered on %s", got, replied)
			}
			// Both the day asked and the day answered are excluded.
			if c.Clock.PausedDays != 9 || c.Clock.Start != "2026-01-31" {
				t.Errorf("clock %+v; want it paused 9 days and started on receipt", c.Clock)
			}
		}},
		{"nothing asked", "", func(t *testing.T, c *cases.Case, before cases.Clock) {
			if c.Clock.Start != before.Start || c.Clock.Due != before.Due || c.IdentityStatus != cases.IdentityNotRequested {
				t.Errorf("clock %s to %s, identity %s; a reply nobody asked for must leave them as they were (%s to %s)",
					c.Clock.Start, c.Clock.Due, c.IdentityStatus, before.Start, before.Due)
			}
			if e := c.Exchanges[len(c.Exchanges)-1]; e.What != cases.WaitingForNothing {
				t.Errorf("exchange answers %q; want nothing", e.What)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustCreate(t, validNew(), envOn("2026-02-02"))
			if tt.ask != "" {
				if _, err := cases.Apply(c, cases.RequestFromRequester{What: tt.ask, Detail: "probe"}, envOn("2026-02-02")); err != nil {
					t.Fatal(err)
				}
			}
			before := c.Clock
			change, err := cases.Apply(c, cases.RequesterReply{Text: "  Here it is.  ", Files: []cases.File{storedFile("passport.pdf")}}, requesterEnv(replied))
			if err != nil {
				t.Fatal(err)
			}
			if c.State == cases.StateAwaitingRequester || c.WaitingFor != cases.WaitingForNothing || !c.NewReply || c.Clock.Paused {
				t.Errorf("state %s waiting for %q new reply %v paused %v; want work resumed and the reply flagged", c.State, c.WaitingFor, c.NewReply, c.Clock.Paused)
			}
			last := c.Exchanges[len(c.Exchanges)-1]
			if last.Kind != cases.ExchangeReplied || last.On != replied || last.By != "requester" || last.Detail != "Here it is." || last.What != tt.ask {
				t.Errorf("exchange %+v", last)
			}
			if len(last.Files) != 1 || last.Files[0].ID != "d1" || last.Files[0].ReceivedOn != replied {
				t.Errorf("files %+v; want d1 received on %s", last.Files, replied)
			}
			if change.Action != "case.requester_replied" || change.After["new_reply"] != "true" || change.After["documents"] != "1" {
				t.Errorf("audit %s %v", change.Action, change.After)
			}
			if change.Personal["detail"] != "Here it is." || len(change.Personal["files"].([]string)) != 1 {
				t.Errorf("personal payload %v; want the text and the file kept there", change.Personal)
			}
			tt.check(t, c, before)
		})
	}
}

func TestRequesterReplyRefusals(t *testing.T) {
	wrongType := storedFile("photo.gif")
	wrongType.MediaType = "image/gif"
	tooBig := storedFile("big.pdf")
	tooBig.Size = cases.MaxFileSize + 1
	unsafeName := storedFile("../../etc/passwd")
	tests := []struct {
		name  string
		reply cases.RequesterReply
		field string
	}{
		{"nothing sent", cases.RequesterReply{Text: "   "}, "text"},
		{"too long", cases.RequesterReply{Text: strings.Repeat("x", cases.MaxDetail+1)}, "text"},
		{"control character", cases.RequesterReply{Text: "hi\x00"}, "text"},
		{"wrong type", cases.RequesterReply{Files: []cases.File{wrongType}}, "files"},
		{"too big", cases.RequesterReply{Files: []cases.File{tooBig}}, "files"},
		{"name not sanitised", cases.RequesterReply{Files: []cases.File{unsafeName}}, "files"},
		{"too many", cases.RequesterReply{Files: []cases.File{storedFile("a.pdf"), storedFile("b.pdf"), storedFile("c.pdf"), storedFile("d.pdf")}}, "files"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustCreate(t, validNew(), envOn("2026-02-02"))
			_, err := cases.Apply(c, tt.reply, requesterEnv("2026-02-03"))
			var invalid *fault.InvalidArgument
			if !errors.As(err, &invalid) || invalid.Violations[0].Field != tt.field {
				t.Fatalf("err = %v; want invalid %s", err, tt.field)
			}
		})
	}
	t.Run("closed", func(t *testing.T) {
		c := mustCreate(t, validNew(), envOn("2026-02-02"))
		if _, err := cases.Apply(c, cases.Close{Outcome: cases.OutcomeFulfilled, ActionTaken: "Erased."}, envOn("2026-02-02")); err != nil {
			t.Fatal(err)
		}
		var refused *fault.FailedPrecondition
		if _, err := cases.Apply(c, cases.RequesterReply{Text: "hello"}, requesterEnv("2026-02-03")); !errors.As(err, &refused) {
			t.Errorf("err = %v; want a closed case to refuse a reply", err)
		}
	})
	t.Run("case full of documents", func(t *testing.T) {
		c := mustCreate(t, validNew(), envOn("2026-02-02"))
		for range cases.MaxFiles / cases.MaxFilesPerReply {
			files := make([]cases.File, cases.MaxFilesPerReply)
			for i := range files {
				files[i] = storedFile("id.pdf")
			}
			if _, err := cases.Apply(c, cases.RequesterReply{Files: files}, requesterEnv("2026-02-03")); err != nil {
				t.Fatal(err)
			}
		}
		if c.FileCount() != cases.MaxFiles {
			t.Fatalf("%d files", c.FileCount())
		}
		if f, ok := c.File("d30"); !ok || f.Name != "id.pdf" {
			t.Errorf("File(d30) = %+v, %v", f, ok)
		}
		var refused *fault.FailedPrecondition
		if _, err := cases.Apply(c, cases.RequesterReply{Files: []cases.File{storedFile("one-more.pdf")}}, requesterEnv("2026-02-03")); !errors.As(err, &refused) {
			t.Errorf("err = %v; want the document limit refused", err)
		}
		if _, err := cases.Apply(c, cases.RequesterReply{Text: "words still fit"}, requesterEnv("2026-02-03")); err != nil {
			t.Errorf("a reply without documents on a full case: %v", err)
		}
	})
}

func TestWithdrawByTheRequester(t *testing.T) {
	tests := []struct {
		name string
		ask  cases.WaitingFor
	}{{"in progress", ""}, {"waiting for identity", cases.WaitingForIdentity}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustCreate(t, validNew(), envOn("2026-02-02"))
			if tt.ask != "" {
				if _, err := cases.Apply(c, cases.RequestFromRequester{What: tt.ask}, envOn("2026-02-02")); err != nil {
					t.Fatal(err)
				}
			}
			change, err := cases.Apply(c, cases.Withdraw{Reason: " Sorted it out by phone. "}, requesterEnv("2026-02-05"))
			if err != nil {
				t.Fatal(err)
			}
			if c.State != cases.StateClosed || c.Outcome.Kind != cases.OutcomeWithdrawn || c.Outcome.ClosedOn != "2026-02-05" || !c.Outcome.OnTime || c.WaitingFor != "" {
				t.Errorf("state %s outcome %+v waiting %q", c.State, c.Outcome, c.WaitingFor)
			}
			last := c.Exchanges[len(c.Exchanges)-1]
			if last.Kind != cases.ExchangeWithdrew || last.By != "requester" || last.Detail != "Sorted it out by phone." || !c.NewReply {
				t.Errorf("exchange %+v new reply %v", last, c.NewReply)
			}
			if change.Action != "case.withdrawn_by_requester" || change.After["outcome"] != "withdrawn" || change.Personal["reason"] != "Sorted it out by phone." {
				t.Errorf("audit %s %v %v", change.Action, change.After, change.Personal)
			}
			var refused *fault.FailedPrecondition
			if _, err := cases.Apply(c, cases.Withdraw{}, requesterEnv("2026-02-06")); !errors.As(err, &refused) {
				t.Errorf("withdrawing twice: %v", err)
			}
		})
	}
}

func TestAcknowledgeReply(t *testing.T) {
	c := mustCreate(t, validNew(), envOn("2026-02-02"))
	var refused *fault.FailedPrecondition
	if _, err := cases.Apply(c, cases.AcknowledgeReply{}, envOn("2026-02-02")); !errors.As(err, &refused) {
		t.Errorf("acknowledging with no reply: %v", err)
	}
	if _, err := cases.Apply(c, cases.RequesterReply{Text: "hello"}, requesterEnv("2026-02-03")); err != nil {
		t.Fatal(err)
	}
	if !c.NewReply || !containsAct(c.Actions(envOn("2026-02-03")), cases.ActAcknowledgeReply) {
		t.Fatalf("new reply %v, actions %v", c.NewReply, c.Actions(envOn("2026-02-03")))
	}
	if cases.Conditional(cases.AcknowledgeReply{}) {
		t.Error("acknowledging a reply undoes nobody's change, so it needs no etag")
	}
	change, err := cases.Apply(c, cases.AcknowledgeReply{}, envOn("2026-02-03"))
	if err != nil {
		t.Fatal(err)
	}
	if c.NewReply || change.Before["new_reply"] != "true" || change.After["new_reply"] != "" {
		t.Errorf("new reply %v, audit %v → %v", c.NewReply, change.Before, change.After)
	}
}

func containsAct(list []cases.StaffAction, a cases.StaffAction) bool {
	for _, x := range list {
		if x == a {
			return true
		}
	}
	return false
}

func TestSniffMediaType(t *testing.T) {
	tests := []struct {
		head []byte
		want string
	}{
		{[]byte("%PDF-1.7\n"), cases.MediaPDF},
		{[]byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10}, cases.MediaJPEG},
		{[]byte("\x89PNG\r\n\x1a\n\x00\x00"), cases.MediaPNG},
		{[]byte("GIF89a"), ""},
		{[]byte("<html><script>"), ""},
		{[]byte("%PD"), ""},
		{[]byte("\x89PNG"), ""}, // cut short: not proven a PNG
		{nil, ""},
		{[]byte("MZ\x90\x00"), ""}, // an executable named passport.pdf
	}
	for _, tt := range tests {
		if got := cases.SniffMediaType(tt.head); got != tt.want {
			t.Errorf("SniffMediaType(%q) = %q; want %q", tt.head, got, tt.want)
		}
	}
}

func TestSanitiseFileName(t *testing.T) {
	long := strings.Repeat("é", 150) + ".pdf"
	tests := []struct{ in, want string }{
		{"passport.pdf", "passport.pdf"},
		{`C:\Users\ada\My Documents\bill.jpg`, "bill.jpg"},
		{"../../etc/passwd", "passwd"},
		{"\u202Egpj.exe", "gpj.exe"},
		{"a\x00b\r\nc.png", "ab c.png"},
		{`"quoted";name.pdf`, "quotedname.pdf"},
		{"   ", "document"},
		{"...", "document"},
		{"\xff\xfe.pdf", "pdf"},
		{long, strings.Repeat("é", cases.MaxFileName-4) + ".pdf"},
	}
	for _, tt := range tests {
		if got := cases.SanitiseFileName(tt.in); got != tt.want {
			t.Errorf("SanitiseFileName(%q) = %q; want %q", tt.in, got, tt.want)
		}
		if got := cases.SanitiseFileName(tt.in); cases.SanitiseFileName(got) != got {
			t.Errorf("SanitiseFileName(%q) = %q is not stable", tt.in, got)
		}
	}
}

func TestCheckUploadNameRefusesParentFolders(t *testing.T) {
	for _, tt := range []struct {
		name    string
		refused bool
	}{
		{"passport.pdf", false},
		{`C:\Users\ada\My Documents\bill.jpg`, false},
		{"..pdf", false},
		{"notes..pdf", false},
		{"../../etc/passwd", true},
		{`..\..\windows\win.ini`, true},
		{"records/ .. /x.pdf", true},
		{"..", true},
	} {
		err := cases.CheckUploadName("files", tt.name)
		if refused := err != nil; refused != tt.refused {
			t.Errorf("CheckUploadName(%q) = %v; want refused %v", tt.name, err, tt.refused)
		}
		if err != nil && !strings.Contains(err.Error(), "parent folder") {
			t.Errorf("CheckUploadName(%q): %v does not say why", tt.name, err)
		}
	}
}
