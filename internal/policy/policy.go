package policy

import (
	"fmt"
	"strings"
	"sync"

	"google.golang.org/genproto/googleapis/api/annotations"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"

	rdv1 "github.com/rightsdesk/rightsdesk/gen/go/rightsdesk/v1"
	"github.com/rightsdesk/rightsdesk/internal/auth"
)

// RequiredRole returns the method's (rightsdesk.v1.required_role) option,
// or auth.RoleNone when it declares none.
func RequiredRole(md protoreflect.MethodDescriptor) auth.Role {
	opts, ok := md.Options().(*descriptorpb.MethodOptions)
	if !ok || opts == nil {
		return auth.RoleNone
	}
	return FromProto(proto.GetExtension(opts, rdv1.E_RequiredRole).(rdv1.Role))
}

// FromProto maps the API's Role enum to auth's.
func FromProto(r rdv1.Role) auth.Role {
	switch r {
	case rdv1.Role_ROLE_PUBLIC:
		return auth.RolePublic
	case rdv1.Role_ROLE_VIEWER:
		return auth.RoleViewer
	case rdv1.Role_ROLE_CASEWORKER:
		return auth.RoleCaseworker
	case rdv1.Role_ROLE_ADMIN:
		return auth.RoleAdmin
	}
	return auth.RoleNone
}

// Package is the proto package whose RPCs Of looks up.
const Package = "rightsdesk.v1"

// Of returns the role an RPC of this API requires, the RPC named as
// "Service/Method" (e.g. "CaseService/AssignCase"). It fails when there is
// no such RPC or it declares no role, so a door that names an RPC wrongly
// fails at start-up, not at the first click.
func Of(rpc string) (auth.Role, error) {
	service, method, ok := strings.Cut(rpc, "/")
	if !ok {
		return auth.RoleNone, fmt.Errorf("RPC %q: want Service/Method", rpc)
	}
	d, err := protoregistry.GlobalFiles.FindDescriptorByName(protoreflect.FullName(Package + "." + service))
	sd, isService := d.(protoreflect.ServiceDescriptor)
	if err != nil || !isService {
		return auth.RoleNone, fmt.Errorf("RPC %q: no service %s.%s", rpc, Package, service)
	}
	md := sd.Methods().ByName(protoreflect.Name(method))
	if md == nil {
		return auth.RoleNone, fmt.Errorf("RPC %q: %s.%s has no method %s", rpc, Package, service, method)
	}
	role := RequiredRole(md)
	if role == auth.RoleNone {
		return auth.RoleNone, fmt.Errorf("RPC %q declares no (rightsdesk.v1.required_role) option", rpc)
	}
	return role, nil
}

// Writes reports whether an RPC of this API changes what is stored, which
// is what the server holds to its limit on writes in flight. The rule,
// stated here once: a method bound to any HTTP verb but GET, that only a
// signed-in caller may call. The public methods bound to POST
// (CalculateDeadline, EvaluateRights) compute an answer and store
// nothing: the public never writes through the API. A method with no
// HTTP binding (the Backup stream) reads.
func Writes(md protoreflect.MethodDescriptor) bool {
	role := RequiredRole(md)
	if role == auth.RoleNone || role == auth.RolePublic {
		return false
	}
	opts, ok := md.Options().(*descriptorpb.MethodOptions)
	if !ok || opts == nil {
		return false
	}
	rule, _ := proto.GetExtension(opts, annotations.E_Http).(*annotations.HttpRule)
	if rule == nil {
		return false
	}
	return rule.GetGet() == ""
}

// WritesMethod is Writes for a method of this API named in full
// ("/rightsdesk.v1.CaseService/CreateCase"). A method outside this
// package (health, reflection) only reads; a name in it that is not in
// the descriptors is an error.
func WritesMethod(fullMethod string) (bool, error) {
	rest, rooted := strings.CutPrefix(fullMethod, "/")
	service, method, ok := strings.Cut(rest, "/")
	if !rooted || !ok {
		return false, fmt.Errorf("method %q: want /Service/Method", fullMethod)
	}
	if !strings.HasPrefix(service, Package+".") {
		return false, nil
	}
	d, err := protoregistry.GlobalFiles.FindDescriptorByName(protoreflect.FullName(service))
	sd, isService := d.(protoreflect.ServiceDescriptor)
	if err != nil || !isService {
		return false, fmt.Errorf("method %q: no service %s", fullMethod, service)
	}
	md := sd.Methods().ByName(protoreflect.Name(method))
	if md == nil {
		return false, fmt.Errorf("method %q: %s has no method %s", fullMethod, service, method)
	}
	return Writes(md), nil
}

// FieldRole returns a field's (rightsdesk.v1.field_required_role) option,
// the least role that may set it, or auth.RoleNone when it declares none.
func FieldRole(fd protoreflect.FieldDescriptor) auth.Role {
	opts, ok := fd.Options().(*descriptorpb.FieldOptions)
	if !ok || opts == nil {
		return auth.RoleNone
	}
	return FromProto(proto.GetExtension(opts, rdv1.E_FieldRequiredRole).(rdv1.Role))
}

// FieldOf is FieldRole for a field named as "Message.field" (e.g.
// "CloseCaseRequest.override_reason"), for a door that offers the field
// in a form; like Of, it fails when there is no such field or it declares
// no role.
func FieldOf(field string) (auth.Role, error) {
	message, name, ok := strings.Cut(field, ".")
	if !ok {
		return auth.RoleNone, fmt.Errorf("field %q: want Message.field", field)
	}
	d, err := protoregistry.GlobalFiles.FindDescriptorByName(protoreflect.FullName(Package + "." + message))
	md, isMessage := d.(protoreflect.MessageDescriptor)
	if err != nil || !isMessage {
		return auth.RoleNone, fmt.Errorf("field %q: no message %s.%s", field, Package, message)
	}
	fd := md.Fields().ByName(protoreflect.Name(name))
	if fd == nil {
		return auth.RoleNone, fmt.Errorf("field %q: %s.%s has no field %s", field, Package, message, name)
	}
	role := FieldRole(fd)
	if role == auth.RoleNone {
		return auth.RoleNone, fmt.Errorf("field %q declares no (rightsdesk.v1.field_required_role) option", field)
	}
	return role, nil
}

// CheckFields refuses a request that sets a field its caller's role may
// not set: the first such field (of the request message itself) as an
// *auth.PermissionDeniedError naming the method and the field.
func CheckFields(method string, req proto.Message, have auth.Role) error {
	m := req.ProtoReflect()
	for _, f := range guardedFields(m.Descriptor()) {
		if m.Has(f.field) && !have.Includes(f.need) {
			return &auth.PermissionDeniedError{Method: method + " with " + string(f.field.Name()), Need: f.need, Have: have}
		}
	}
	return nil
}

type guardedField struct {
	field protoreflect.FieldDescriptor
	need  auth.Role
}

// guarded caches, per message, its fields that declare a role, so that a
// request with none (almost all) costs one map read.
var guarded sync.Map // protoreflect.FullName -> []guardedField

func guardedFields(md protoreflect.MessageDescriptor) []guardedField {
	if v, ok := guarded.Load(md.FullName()); ok {
		return v.([]guardedField)
	}
	var out []guardedField
	fields := md.Fields()
	for i := range fields.Len() {
		if need := FieldRole(fields.Get(i)); need != auth.RoleNone {
			out = append(out, guardedField{fields.Get(i), need})
		}
	}
	guarded.Store(md.FullName(), out)
	return out
}
