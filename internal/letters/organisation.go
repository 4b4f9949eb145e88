package letters

import (
	"fmt"
	"strings"
)

// Organisation is the configuration of the organisation writing letters:
// who it is and how requesters reach it. Its address heads every letter
// sent by post.
type Organisation struct {
	Name string
	// Address is the postal address, its lines separated by new lines or
	// commas; it is the sender's block of a posted letter.
	Address string
	Email   string
	Phone   string
	Web     string
	// DPO is the data protection officer, where the organisation names one.
	DPO Contact
	// SignOff is who signs letters; "Data protection team" by default.
	SignOff string
	// StatusPage is where a requester checks progress, e.g.
	// "https://rights.example.org/status"; letters leave it out when empty.
	StatusPage string
	// Regulator is where complaints go: the Information Commissioner's
	// Office when left empty.
	Regulator Contact
}

// ICO is the Information Commissioner's Office, which hears complaints
// about how a UK organisation handled a data protection request.
var ICO = Contact{
	Name:    "Information Commissioner's Office",
	Address: "Wycliffe House, Water Lane, Wilmslow, Cheshire, SK9 5AF",
	Phone:   "0303 123 1113",
	Web:     "https://ico.org.uk/make-a-complaint/",
}

const defaultSignOff = "Data protection team"

// check fills in the defaults and refuses an organisation a letter could
// not name, or that gives requesters no way to reach it.
func (o Organisation) check() (Organisation, error) {
	if strings.TrimSpace(o.Name) == "" {
		return o, fmt.Errorf("letters: the organisation has no name")
	}
	if o.Email == "" && o.Phone == "" && o.Address == "" && o.Web == "" {
		return o, fmt.Errorf("letters: %s has no email address, phone number, postal address or web address for requesters to reach it", o.Name)
	}
	if o.SignOff == "" {
		o.SignOff = defaultSignOff
	}
	if o.Regulator.Name == "" {
		o.Regulator = ICO
	}
	return o, nil
}

// AddressLines are the lines of the postal address.
func (o Organisation) AddressLines() []string { return addressLines(o.Address) }

// Organisation is whose letters w writes: the sender of a letter printed
// again from its kept text.
func (w *Writer) Organisation() Organisation { return w.org }

// sender is the organisation as templates see it.
func (o Organisation) sender() Sender {
	return Sender{
		Contact: Contact{Name: o.Name, Address: strings.Join(o.AddressLines(), ", "), Email: o.Email, Phone: o.Phone, Web: o.Web},
		DPO:     o.DPO, SignOff: o.SignOff, StatusPage: o.StatusPage,
	}
}

// addressLines splits an address written on several lines, or on one with
// commas, into its lines.
func addressLines(address string) []string {
	sep := "\n"
	if !strings.Contains(address, "\n") {
		sep = ","
	}
	var out []string
	for _, l := range strings.Split(address, sep) {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}
