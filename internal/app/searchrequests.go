package app

import (
	"github.com/rightsdesk/rightsdesk/internal/casework"
	"github.com/rightsdesk/rightsdesk/internal/letters"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
)

// searchRequests is the use case sending search requests to data owners,
// or nil when there is no relay to email their links through: then the
// doors offer none (and the owner's pages are not served).
func searchRequests(work *casework.Service, writer *letters.Writer) usecase.SearchRequests {
	if writer == nil {
		return nil
	}
	return work
}
