package server_test

import (
	"slices"
	"strings"
	"testing"

	"buf.build/go/protovalidate"
	"google.golang.org/genproto/googleapis/api/annotations"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/dynamicpb"
)

// The protos' AIP annotations (AIP-203, AIP-122/123): every field of every
// message a request carries, down through the fields a client may set,
// says how it behaves; every resource says its type and pattern, and every
// request field naming one refers to it; and a field is REQUIRED exactly
// when the request's own validation refuses it empty, so the OpenAPI
// document's required lists are the server's.

func fieldBehaviors(fd protoreflect.FieldDescriptor) []annotations.FieldBehavior {
	got, _ := proto.GetExtension(fd.Options(), annotations.E_FieldBehavior).([]annotations.FieldBehavior)
	return got
}

// rpcMethods are every method of every rightsdesk.v1 service.
func rpcMethods() []protoreflect.MethodDescriptor {
	var methods []protoreflect.MethodDescriptor
	protoregistry.GlobalFiles.RangeFilesByPackage("rightsdesk.v1", func(fd protoreflect.FileDescriptor) bool {
		for i := range fd.Services().Len() {
			sd := fd.Services().Get(i)
			for j := range sd.Methods().Len() {
				methods = append(methods, sd.Methods().Get(j))
			}
		}
		return true
	})
	return methods
}

func TestEveryFieldARequestCarriesHasAFieldBehavior(t *testing.T) {
	seen := map[protoreflect.FullName]bool{}
	var walk func(md protoreflect.MessageDescriptor)
	walk = func(md protoreflect.MessageDescriptor) {
		if seen[md.FullName()] || !strings.HasPrefix(string(md.FullName()), "rightsdesk.v1.") {
			return
		}
		seen[md.FullName()] = true
		for i := range md.Fields().Len() {
			fd := md.Fields().Get(i)
			behaviors := fieldBehaviors(fd)
			if len(behaviors) == 0 {
				t.Errorf("%s has no (google.api.field_behavior)", fd.FullName())
			}
			if fd.Message() != nil && !slices.Contains(behaviors, annotations.FieldBehavior_OUTPUT_ONLY) {
				walk(fd.Message())
			}
		}
	}
	for _, m := range rpcMethods() {
		walk(m.Input())
		// A resource a method returns is one a client may send back.
		if m.Output().Options() != nil && proto.HasExtension(m.Output().Options(), annotations.E_Resource) {
			walk(m.Output())
		}
	}
	if len(seen) < 20 {
		t.Fatalf("walked only %d messages", len(seen))
	}
}

func TestResourcesAndTheirReferences(t *testing.T) {
	patterns := map[string]string{}
	for _, m := range rpcMethods() {
		for _, md := range []protoreflect.MessageDescriptor{m.Output()} {
			if md.Fields().ByName("name") == nil || !strings.HasPrefix(string(md.FullName()), "rightsdesk.v1.") {
				continue
			}
			res, _ := proto.GetExtension(md.Options(), annotations.E_Resource).(*annotations.ResourceDescriptor)
			if res.GetType() == "" || len(res.GetPattern()) == 0 {
				t.Errorf("%s (returned by %s) has a name but no (google.api.resource) type and pattern", md.FullName(), m.FullName())
				continue
			}
			if !slices.Contains(fieldBehaviors(md.Fields().ByName("name")), annotations.FieldBehavior_IDENTIFIER) {
				t.Errorf("%s.name is not IDENTIFIER", md.FullName())
			}
			patterns[res.GetType()] = res.GetPattern()[0]
		}
	}
	// A resource may also live inside one a method returns (a case's
	// documents): declared on its own message, by the same rules.
	protoregistry.GlobalFiles.RangeFilesByPackage("rightsdesk.v1", func(fd protoreflect.FileDescriptor) bool {
		for i := range fd.Messages().Len() {
			md := fd.Messages().Get(i)
			res, _ := proto.GetExtension(md.Options(), annotations.E_Resource).(*annotations.ResourceDescriptor)
			switch {
			case res.GetType() == "":
			case len(res.GetPattern()) == 0 || md.Fields().ByName("name") == nil ||
				!slices.Contains(fieldBehaviors(md.Fields().ByName("name")), annotations.FieldBehavior_IDENTIFIER):
				t.Errorf("%s declares resource %s without a pattern and an IDENTIFIER name", md.FullName(), res.GetType())
			default:
				patterns[res.GetType()] = res.GetPattern()[0]
			}
		}
		return true
	})
	for _, m := range rpcMethods() {
		in := m.Input()
		for _, field := range []protoreflect.Name{"name", "parent"} {
			fd := in.Fields().ByName(field)
			if fd == nil || fd.Kind() != protoreflect.StringKind {
				continue
			}
			ref, _ := proto.GetExtension(fd.Options(), annotations.E_ResourceReference).(*annotations.ResourceReference)
			typ := ref.GetType() + ref.GetChildType()
			if _, known := patterns[typ]; !known {
				t.Errorf("%s refers to resource type %q, which no resource declares", fd.FullName(), typ)
			}
		}
	}
}

func TestRequiredIsWhatValidationRequires(t *testing.T) {
	validator, err := protovalidate.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range rpcMethods() {
		in := m.Input()
		refused := map[string]bool{}
		var verr *protovalidate.ValidationError
		if err := validator.Validate(dynamicpb.NewMessage(in)); err != nil {
			if !asValidation(err, &verr) {
				t.Fatalf("%s: %v", in.FullName(), err)
			}
			for _, v := range verr.Violations {
				path := protovalidate.FieldPathString(v.Proto.GetField())
				refused[strings.FieldsFunc(path, func(r rune) bool { return r == '.' || r == '[' })[0]] = true
			}
		}
		for i := range in.Fields().Len() {
			fd := in.Fields().Get(i)
			required := slices.Contains(fieldBehaviors(fd), annotations.FieldBehavior_REQUIRED)
			if required != refused[string(fd.Name())] {
				t.Errorf("%s: REQUIRED %v, but validation refuses it empty: %v", fd.FullName(), required, refused[string(fd.Name())])
			}
		}
	}
}

func asValidation(err error, target **protovalidate.ValidationError) bool {
	v, ok := err.(*protovalidate.ValidationError)
	*target = v
	return ok
}
