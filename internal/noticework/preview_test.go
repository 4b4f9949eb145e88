package noticework_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/notice/lint"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
)

// A preview compares the draft with the notice's current version without
// storing anything; a new notice has nothing to compare with.
func TestDiffDraft(t *testing.T) {
	w, st := open(t, nil)
	raw := fixture(t, "numbered-sections.txt")
	first, err := w.Import(ctx, usecase.ImportRequest{Content: raw, Document: "v1.txt", ValidateOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	current, changes, err := w.DiffDraft(ctx, first.Draft.ID, first.Version)
	if err != nil || current != nil || changes != nil {
		t.Fatalf("DiffDraft of a new notice = %v, %v, %v; want nothing to compare", current, changes, err)
	}
	if _, err := w.Import(ctx, usecase.ImportRequest{Content: raw, Document: "v1.txt"}); err != nil {
		t.Fatal(err)
	}

	draft, err := w.Import(ctx, usecase.ImportRequest{Content: revise(raw, "9 February 2026"), ID: first.Draft.ID, ValidateOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	current, changes, err = w.DiffDraft(ctx, first.Draft.ID, draft.Version)
	if err != nil || current == nil || current.Number != 1 || draft.Version.Number != 2 {
		t.Fatalf("DiffDraft = version %v, %v; want the draft (2) against version 1", current, err)
	}
	var retention, date bool
	for _, c := range changes {
		retention = retention || strings.HasPrefix(c.Field, "retention") && strings.Contains(c.After, "3 years")
		date = date || c.Field == "effective_from" && c.After == "2026-02-09"
	}
	if !retention || !date {
		t.Errorf("changes %+v; want the retention period and the date", changes)
	}
	if n := stored(t, st, first.Draft.ID); len(n.Versions) != 1 {
		t.Errorf("a preview and a diff stored %d versions, want only the first", len(n.Versions))
	}
}

// A door that shows lint findings can promise that errors block saving.
func TestRefuseLintErrors(t *testing.T) {
	w, _ := open(t, nil)
	withError := fixture(t, "bullets.txt")
	preview, err := w.Import(ctx, usecase.ImportRequest{Content: withError, ValidateOnly: true})
	if err != nil || !lint.HasErrors(preview.Findings) {
		t.Fatalf("the fixture should have a lint error: %v, %v", preview.Findings, err)
	}
	_, err = w.Import(ctx, usecase.ImportRequest{Content: withError, RefuseLintErrors: true})
	var refused *fault.FailedPrecondition
	if !errors.As(err, &refused) {
		t.Fatalf("storing a draft with a lint error = %v, want FAILED_PRECONDITION", err)
	}
	all, err := w.All(ctx)
	if err != nil || len(all) != 0 {
		t.Fatalf("after the refusal the catalogue has %d notices (%v); want none", len(all), err)
	}
	// Without the promise it is stored as published, findings and all.
	res, err := w.Import(ctx, usecase.ImportRequest{Content: withError})
	if err != nil || !res.Created || !lint.HasErrors(res.Findings) {
		t.Fatalf("plain import = %+v, %v", res, err)
	}
	clean := fixture(t, "numbered-sections.txt")
	if res, err := w.Import(ctx, usecase.ImportRequest{Content: clean, RefuseLintErrors: true}); err != nil || !res.Created || lint.HasErrors(res.Findings) {
		t.Fatalf("a draft without errors = %+v, %v; want it stored", res, err)
	}
}

// A save after a preview stores the version the preview showed, or nothing.
func TestExpectVersion(t *testing.T) {
	w, st := open(t, nil)
	raw := fixture(t, "numbered-sections.txt")
	first, err := w.Import(ctx, usecase.ImportRequest{Content: raw})
	if err != nil {
		t.Fatal(err)
	}
	id := first.Draft.ID
	mine := revise(raw, "9 February 2026")
	preview, err := w.Import(ctx, usecase.ImportRequest{Content: mine, ID: id, ValidateOnly: true})
	if err != nil || preview.Version.Number != 2 {
		t.Fatalf("preview = %+v, %v; want version 2", preview, err)
	}
	// Someone else stores a version between the preview and the save.
	theirs := []byte(strings.Replace(string(mine), "9 February 2026", "8 February 2026", 1))
	if _, err := w.Import(ctx, usecase.ImportRequest{Content: theirs, ID: id}); err != nil {
		t.Fatal(err)
	}
	_, err = w.Import(ctx, usecase.ImportRequest{Content: mine, ID: id, ExpectVersion: preview.Version.Number})
	var conflict *fault.Conflict
	if !errors.As(err, &conflict) {
		t.Fatalf("a save expecting version 2 after another version 2 was stored = %v, want CONFLICT", err)
	}
	if n := stored(t, st, id); len(n.Versions) != 2 || n.Current().EffectiveFrom != "2026-02-08" {
		t.Fatalf("after the conflict: %d versions, the current from %s; want theirs only", len(n.Versions), n.Current().EffectiveFrom)
	}
	res, err := w.Import(ctx, usecase.ImportRequest{Content: mine, ID: id, ExpectVersion: 3})
	if err != nil || !res.Created || res.Version.Number != 3 {
		t.Fatalf("a save expecting the right version = %+v, %v", res, err)
	}
}
