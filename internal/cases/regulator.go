package cases

// The Information Commissioner's Office hears complaints about how a UK
// organisation handled a data protection request (UK GDPR Art 77); the
// public pages and the letters name it.
const (
	ICOComplaintURL = "https://ico.org.uk/make-a-complaint/"
	ICOPhone        = "0303 123 1113"
)
