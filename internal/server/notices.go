package server

import (
	"context"
	"errors"
	"fmt"
	"strings"

	rdv1 "github.com/rightsdesk/rightsdesk/gen/go/rightsdesk/v1"
	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/store"
)

type noticeService struct {
	rdv1.UnimplementedNoticeServiceServer
	store *store.Store
}

func (s *noticeService) ListNotices(ctx context.Context, req *rdv1.ListNoticesRequest) (*rdv1.ListNoticesResponse, error) {
	after, err := decodePageToken(req.GetPageToken(), "")
	if err != nil {
		return nil, err
	}
	var (
		page []notice.Notice
		more bool
	)
	err = s.store.View(ctx, func(tx store.ReadTx) error {
		page, more, err = store.ListNotices(tx, after, pageSize(req.GetPageSize(), 50, 100))
		return err
	})
	if err != nil {
		return nil, err
	}
	resp := &rdv1.ListNoticesResponse{}
	for i := range page {
		resp.Notices = append(resp.Notices, noticeToProto(&page[i], page[i].Current()))
	}
	if more {
		resp.NextPageToken = encodePageToken(page[len(page)-1].ID, "")
	}
	return resp, nil
}

func (s *noticeService) GetNotice(ctx context.Context, req *rdv1.GetNoticeRequest) (*rdv1.Notice, error) {
	n, v, err := s.version(ctx, req.GetName(), req.GetVersion())
	if err != nil {
		return nil, err
	}
	return noticeToProto(n, v), nil
}

func (s *noticeService) EvaluateRights(ctx context.Context, req *rdv1.EvaluateRightsRequest) (*rdv1.EvaluateRightsResponse, error) {
	_, v, err := s.version(ctx, req.GetName(), req.GetVersion())
	if err != nil {
		return nil, err
	}
	evaluations, err := notice.Evaluate(v, req.GetContext())
	if err != nil {
		return nil, err
	}
	wanted := map[notice.Right]bool{}
	for _, r := range req.GetRights() {
		wanted[rightFromProto(r)] = true
	}
	resp := &rdv1.EvaluateRightsResponse{Version: int32(v.Number), Context: req.GetContext()}
	for _, e := range evaluations {
		if len(wanted) == 0 || wanted[e.Right] {
			resp.Evaluations = append(resp.Evaluations, evaluationToProto(e))
		}
	}
	return resp, nil
}

// version loads a notice by resource name and picks a version (0 = current).
func (s *noticeService) version(ctx context.Context, name string, number int32) (*notice.Notice, *notice.Version, error) {
	id := strings.TrimPrefix(name, "notices/")
	var n *notice.Notice
	err := s.store.View(ctx, func(tx store.ReadTx) (err error) {
		n, err = store.GetNotice(tx, id)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, &fault.NotFound{Resource: "notice", Name: name, Detail: "list the catalogue with GET /v1/notices"}
	}
	if err != nil {
		return nil, nil, err
	}
	if number == 0 {
		return n, n.Current(), nil
	}
	v, ok := n.Version(int(number))
	if !ok {
		return nil, nil, &fault.NotFound{Resource: "notice version", Name: name, Detail: fmt.Sprintf("this notice has versions 1 to %d", n.Current().Number)}
	}
	return n, v, nil
}
