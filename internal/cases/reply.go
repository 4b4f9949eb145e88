package cases

import (
	"bytes"
	"fmt"
	"path"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/rightsdesk/rightsdesk/internal/fault"
)

// What a requester may send with a reply: a few documents (proof of
// identity, evidence of authority to act), each of a type caseworkers can
// open safely everywhere, none so big that a phone upload stalls.
const (
	// MaxFileSize bounds one document, in bytes.
	MaxFileSize = 10 << 20
	// MaxFilesPerReply bounds the documents in one reply.
	MaxFilesPerReply = 3
	// MaxFiles bounds the documents one case holds from its requester.
	MaxFiles = 30
	// MaxFileName bounds a document's name as kept, in characters.
	MaxFileName = 100
)

// Media types of the documents a requester may send.
const (
	MediaPDF  = "application/pdf"
	MediaJPEG = "image/jpeg"
	MediaPNG  = "image/png"
)

// MediaTypes are the media types a requester may send, each recognised by
// its content, never by its name.
var MediaTypes = []string{MediaPDF, MediaJPEG, MediaPNG}

// SniffBytes is how much of a document SniffMediaType needs to see.
const SniffBytes = 8

// signatures are the first bytes of each accepted type.
var signatures = []struct {
	media string
	magic []byte
}{
	{MediaPDF, []byte("%PDF-")},
	{MediaJPEG, []byte{0xFF, 0xD8, 0xFF}},
	{MediaPNG, []byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'}},
}

// SniffMediaType says which accepted type a document's first bytes show it
// to be, or "" when they show none: what a file is called, or what the
// browser says it is, proves nothing.
func SniffMediaType(head []byte) string {
	for _, s := range signatures {
		if bytes.HasPrefix(head, s.magic) {
			return s.media
		}
	}
	return ""
}

// File is a document the requester sent. Its bytes are in the document
// store under Key, never in the case; the case keeps what staff need to
// list it and check it is the one received. Name is personal data.
type File struct {
	ID         string `json:"id"`
	Key        string `json:"key"`
	Name       string `json:"name"`
	MediaType  string `json:"media_type"`
	Size       int64  `json:"size"`
	SHA256     string `json:"sha256"`
	ReceivedOn string `json:"received_on"`
}

// SanitiseFileName keeps what a person would recognise of a file's name
// and nothing a browser, a shell or a screen could misread: the last path
// element (browsers have sent whole Windows paths), without control or
// reordering characters, quotes or separators, at most MaxFileName
// characters with its extension kept; "document" when nothing is left.
func SanitiseFileName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.ToValidUTF8(name, "")
	name = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r): // a line break too, so words stay apart
			return ' '
		case unicode.IsControl(r), reordersText(r), strings.ContainsRune(`"'<>:|?*;`+"`", r):
			return -1
		}
		return r
	}, name)
	name = strings.Trim(strings.Join(strings.Fields(name), " "), ". ")
	if n := utf8.RuneCountInString(name); n > MaxFileName {
		ext := path.Ext(name)
		if utf8.RuneCountInString(ext) > 10 {
			ext = ""
		}
		stem := []rune(strings.TrimSuffix(name, ext))
		name = string(stem[:MaxFileName-utf8.RuneCountInString(ext)]) + ext
	}
	if name == "" {
		return "document"
	}
	return name
}

// CheckUploadName refuses a file name that climbs out of its folder
// ("../", "..\\"): no browser sends one for a file a person picked, so it
// is a crafted request, refused rather than quietly cleaned. A full path
// (which old browsers sent) is fine: SanitiseFileName keeps its last part.
func CheckUploadName(field, name string) error {
	for _, part := range strings.FieldsFunc(name, func(r rune) bool { return r == '/' || r == '\\' }) {
		if strings.TrimSpace(part) == ".." {
			return fault.Invalid(field, "a file name may not name a parent folder (..): %s", SanitiseFileName(name))
		}
	}
	return nil
}

// File finds a document the requester sent by its id.
func (c *Case) File(id string) (File, bool) {
	for _, e := range c.Exchanges {
		for _, f := range e.Files {
			if f.ID == id {
				return f, true
			}
		}
	}
	return File{}, false
}

// FileCount is how many documents the requester has sent.
func (c *Case) FileCount() int {
	n := 0
	for _, e := range c.Exchanges {
		n += len(e.Files)
	}
	return n
}

// CheckReply checks what a requester sends, before any document is
// stored: some text or at least one document, within the limits. The
// documents are named only by their count; each is checked as it arrives
// (see CheckFile) and again by RequesterReply.
func CheckReply(text string, files int) error {
	var v []fault.FieldViolation
	text = strings.TrimSpace(text)
	if text == "" && files == 0 {
		v = append(v, fault.FieldViolation{Field: "text", Description: "write your reply, or choose a file to send"})
	}
	checkText(&v, "text", text, MaxDetail, paragraph, "")
	if files > MaxFilesPerReply {
		v = append(v, fault.FieldViolation{Field: "files", Description: fmt.Sprintf("send at most %d files at a time", MaxFilesPerReply)})
	}
	return invalidIf(v)
}

// CheckFile checks one document as stored: an accepted type, not empty and
// not over MaxFileSize. The message names the file by its sanitised name,
// which the person chose and may see again.
func CheckFile(f File) error {
	if err := CheckFileType(f.Name, f.MediaType); err != nil {
		return err
	}
	return checkStoredFile(f, "files", MaxFileSize)
}

// checkStoredFile checks what storing a file found: not empty, not over
// max bytes, stored under a key with its hash and a sanitised name. field
// is the one a refusal names.
func checkStoredFile(f File, field string, max int64) error {
	switch {
	case f.Size == 0:
		return fault.Invalid(field, "%s is empty", f.Name)
	case f.Size > max:
		return tooLarge(field, f.Name, max)
	case f.Key == "" || len(f.SHA256) != 64 || f.Name != SanitiseFileName(f.Name):
		return fault.Invalid(field, "%s was not stored properly", f.Name)
	}
	return nil
}

func tooLarge(field, name string, max int64) error {
	return fault.Invalid(field, "%s is larger than %d MB", name, max>>20)
}

// CheckFileType refuses a document whose content (see SniffMediaType) is
// not of a type a requester may send; name is its sanitised name.
func CheckFileType(name, mediaType string) error {
	if !slices.Contains(MediaTypes, mediaType) {
		return fault.Invalid("files", "%s is not a PDF, JPEG or PNG file", name)
	}
	return nil
}

// FileTooLarge is the error for a document over MaxFileSize, for the
// caller that finds out while storing it.
func FileTooLarge(name string) error { return tooLarge("files", name, MaxFileSize) }

// RequesterReply is what the requester sends from the status page: a
// message, documents, or both. While the case waits for them it is their
// response (RecordResponse), dated today, so the clock starts or runs on
// again by itself; at any other time it is recorded as a message. Either
// way staff see a new reply until they acknowledge it.
type RequesterReply struct {
	Text string
	// Files are the documents, already in the document store; their ids
	// and the date received are given here.
	Files []File
}

// Action implements Command.
func (RequesterReply) Action() string { return "case.requester_replied" }

func (cmd RequesterReply) apply(c *Case, env Env) (map[string]any, error) {
	if !c.Open() {
		return nil, &fault.FailedPrecondition{Subject: c.Name(), Description: "the request is closed, so it takes no more replies"}
	}
	text := strings.TrimSpace(cmd.Text)
	if err := CheckReply(text, len(cmd.Files)); err != nil {
		return nil, err
	}
	if have := c.FileCount(); have+len(cmd.Files) > MaxFiles {
		return nil, &fault.FailedPrecondition{Subject: c.Name(), Description: fmt.Sprintf(
			"the request already has %d of the %d documents one request can hold; contact us to send more", have, MaxFiles)}
	}
	if len(cmd.Files) > 0 {
		if err := c.checkRoom(c.DocumentCount()+len(cmd.Files)-1, MaxDocuments, "documents"); err != nil {
			return nil, err
		}
	}
	today := env.Today().String()
	files := make([]File, len(cmd.Files))
	// The documents list holds each file too (same id, same stored bytes),
	// as the kind of document the case waited for, before a response below
	// stops the wait.
	kind := c.requesterDocumentKind()
	for i, f := range cmd.Files {
		if err := CheckFile(f); err != nil {
			return nil, err
		}
		f.ID, f.ReceivedOn = c.nextDocumentID(i), today
		files[i] = f
	}
	for _, f := range files {
		c.Documents = append(c.Documents, Document{File: f, Kind: kind, AddedBy: env.Actor, Added: env.Now})
	}
	if c.State == StateAwaitingRequester {
		if _, err := (RecordResponse{On: today, Detail: text}).apply(c, env); err != nil {
			return nil, err
		}
	} else {
		c.Exchanges = append(c.Exchanges, Exchange{Kind: ExchangeReplied, On: today, Detail: text, By: env.Actor})
	}
	c.Exchanges[len(c.Exchanges)-1].Files = files
	c.NewReply = true
	// The audit payload keeps what was sent, erasable with the rest of the
	// requester's data; the hash ties each document to the bytes stored.
	personal := personalDetail(text)
	if len(files) > 0 {
		names := make([]string, len(files))
		for i, f := range files {
			names[i] = f.ID + " " + f.Name + " sha256:" + f.SHA256
		}
		if personal == nil {
			personal = map[string]any{}
		}
		personal["files"] = names
	}
	return personal, nil
}

// Withdraw is the requester withdrawing the request from the status page:
// the case closes as withdrawn, with their reason if they gave one, and
// staff see it as a new reply. Staff closing a case as withdrawn (say,
// after a phone call) is Close.
type Withdraw struct {
	Reason string
}

// Action implements Command.
func (Withdraw) Action() string { return "case.withdrawn_by_requester" }

func (cmd Withdraw) apply(c *Case, env Env) (map[string]any, error) {
	if !c.Open() {
		return nil, &fault.FailedPrecondition{Subject: c.Name(), Description: "the request is already closed"}
	}
	reason := strings.TrimSpace(cmd.Reason)
	var v []fault.FieldViolation
	checkText(&v, "reason", reason, MaxDetail, paragraph, "")
	if err := invalidIf(v); err != nil {
		return nil, err
	}
	today := env.Today().String()
	if err := c.moveTo(StateClosed, "withdraw"); err != nil {
		return nil, err
	}
	c.WaitingFor = WaitingForNothing
	c.Outcome = &Outcome{Kind: OutcomeWithdrawn, ClosedOn: today, OnTime: today <= c.Clock.Due}
	c.Exchanges = append(c.Exchanges, Exchange{Kind: ExchangeWithdrew, On: today, Detail: reason, By: env.Actor})
	c.NewReply = true
	if reason == "" {
		return nil, nil
	}
	return map[string]any{"reason": reason}, nil
}

// AcknowledgeReply records that a member of staff has seen the requester's
// latest reply or withdrawal, which takes the case off the "new reply"
// view.
type AcknowledgeReply struct{}

// Action implements Command.
func (AcknowledgeReply) Action() string { return "case.reply_acknowledged" }

func (AcknowledgeReply) apply(c *Case, _ Env) (map[string]any, error) {
	if !c.NewReply {
		return nil, &fault.FailedPrecondition{Subject: c.Name(), Description: "there is no new reply from the requester to acknowledge"}
	}
	c.NewReply = false
	return nil, nil
}
