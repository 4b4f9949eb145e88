package etcd_test

import (
	"errors"
	"testing"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"
	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"

	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/store"
)

// A cluster out of space (its NOSPACE alarm, raised here as a member
// raises it when its database reaches --quota-backend-bytes) refuses
// writes as a *fault.StorageUnavailable and WritesFailing says so until,
// the alarm disarmed, a write succeeds again.
func TestAClusterOutOfSpaceRefusesWritesUntilItHasRoom(t *testing.T) {
	b := openAt(t, "/rdtest/nospace/")
	defer b.Close()
	put := func(key string) error {
		return b.Update(t.Context(), func(tx store.WriteTx) error { return tx.Put(store.BucketMeta, []byte(key), []byte(key)) })
	}
	if err := put("before"); err != nil {
		t.Fatal(err)
	}
	members, err := b.Client().MemberList(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	alarm := &pb.AlarmRequest{Action: pb.AlarmRequest_ACTIVATE, MemberID: members.Members[0].ID, Alarm: pb.AlarmType_NOSPACE}
	maintenance := pb.NewMaintenanceClient(b.Client().ActiveConnection())
	if _, err := maintenance.Alarm(t.Context(), alarm); err != nil {
		t.Fatalf("raise the NOSPACE alarm: %v", err)
	}
	disarm := func() {
		off := &pb.AlarmRequest{Action: pb.AlarmRequest_DEACTIVATE, MemberID: alarm.MemberID, Alarm: alarm.Alarm}
		if _, err := maintenance.Alarm(t.Context(), off); err != nil {
			t.Errorf("disarm the NOSPACE alarm: %v", err)
		}
	}
	armed := true
	t.Cleanup(func() {
		if armed {
			disarm() // the other tests share the cluster
		}
	})

	err = put("refused")
	var refused *fault.StorageUnavailable
	if !errors.As(err, &refused) || !errors.Is(err, rpctypes.ErrNoSpace) {
		t.Fatalf("a write to a cluster out of space returned %v; want a *fault.StorageUnavailable wrapping ErrNoSpace", err)
	}
	if b.WritesFailing() == nil {
		t.Fatal("WritesFailing is nil while the cluster is out of space")
	}
	disarm()
	armed = false
	if err := put("after"); err != nil {
		t.Fatalf("a write once the alarm is disarmed: %v", err)
	}
	if err := b.WritesFailing(); err != nil {
		t.Fatalf("WritesFailing is %v after a write succeeded", err)
	}
}
