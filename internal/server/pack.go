package server

import (
	rdv1 "github.com/rightsdesk/rightsdesk/gen/go/rightsdesk/v1"
)

// GetResponsePack streams the case's response pack in chunks, as Backup
// streams the database: the zip is made as it is sent, never held whole.
// An error before the first chunk is the call's status; one part way
// through ends the stream with it, and the client must discard what came.
func (s *caseService) GetResponsePack(req *rdv1.GetResponsePackRequest, stream rdv1.CaseService_GetResponsePackServer) error {
	w := &chunkWriter{send: func(b []byte) error { return stream.Send(&rdv1.ResponsePackChunk{Data: b}) }}
	if err := s.work.WritePack(stream.Context(), caseID(req.GetName()), w); err != nil {
		return err
	}
	return w.flush()
}
