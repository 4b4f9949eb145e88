package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

func main() {
	err := run(os.Args[1:], os.Stdout, os.Stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
	case err != nil:
		fmt.Fprintln(os.Stderr, "imagebuild:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("imagebuild", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: imagebuild --out FILE.tar --binary linux/amd64=FILE [--binary linux/arm64=FILE ...] --version V --created UNIX_SECONDS [flags]")
		fs.PrintDefaults()
	}
	var s Spec
	var binaries binaryFlags
	fs.Var(&binaries, "binary", "PLATFORM=FILE: a static rightsdesk binary and the platform it is for (os/arch[/variant]); repeat for each platform, the first also goes in manifest.json for Docker's classic image store")
	out := fs.String("out", "", "the OCI layout tarball to write (required)")
	tag := fs.String("name", "", "NAME:TAG the loaders give the image (default rightsdesk:VERSION)")
	created := fs.String("created", os.Getenv("SOURCE_DATE_EPOCH"), "the time stamped on every file and in the labels, in seconds since 1970 (default $SOURCE_DATE_EPOCH; required)")
	fs.StringVar(&s.CACerts, "ca-certs", "/etc/ssl/certs/ca-certificates.crt", "PEM bundle of CA certificates to install (Debian's ca-certificates package)")
	fs.StringVar(&s.CACopyright, "ca-copyright", "/usr/share/doc/ca-certificates/copyright", "the CA certificates' copyright file, installed beside them; empty leaves it out")
	fs.StringVar(&s.Version, "version", "", "version for the labels (required)")
	fs.StringVar(&s.Revision, "revision", "", "source revision (commit) for the labels")
	fs.StringVar(&s.Source, "source", "", "URL of the source repository for the labels")
	fs.StringVar(&s.Licenses, "licenses", "", "SPDX licence expression for the labels; left out when empty")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 || *out == "" || len(binaries) == 0 || s.Version == "" || *created == "" {
		fs.Usage()
		return errors.New("--out, --binary, --version and --created (or $SOURCE_DATE_EPOCH) are required, and nothing else")
	}
	secs, err := strconv.ParseInt(*created, 10, 64)
	if err != nil {
		return fmt.Errorf("--created %q: want seconds since 1970: %w", *created, err)
	}
	s.Created, s.Binaries = time.Unix(secs, 0).UTC(), binaries
	if *tag == "" {
		*tag = "rightsdesk:" + tagSafe(s.Version)
	}
	idx, err := Build(s)
	if err != nil {
		return err
	}
	if err := WriteArchive(*out, idx, *tag, s.Created); err != nil {
		return err
	}
	digest, err := idx.Digest()
	if err != nil {
		return err
	}
	platforms := make([]string, len(binaries))
	for i, b := range binaries {
		platforms[i] = b.Platform.String()
	}
	_, err = fmt.Fprintf(stdout, "%s: %s for %s, index %s\n", *out, *tag, strings.Join(platforms, ", "), digest)
	return err
}

// tagSafe turns a version into a valid tag: `git describe` gives
// "v1.2.3-4-gabcdef-dirty", which is one already, but a build from a
// tarball may say anything.
func tagSafe(version string) string {
	t := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '.', r == '-':
			return r
		}
		return '-'
	}, version)
	if t == "" || t[0] == '.' || t[0] == '-' {
		t = "v" + t
	}
	return t[:min(len(t), 128)]
}

// binaryFlags collects the repeated --binary PLATFORM=FILE.
type binaryFlags []Binary

func (b *binaryFlags) String() string { return fmt.Sprint(*b) }

func (b *binaryFlags) Set(v string) error {
	p, file, ok := strings.Cut(v, "=")
	if !ok || file == "" {
		return fmt.Errorf("%q: want PLATFORM=FILE", v)
	}
	platform, err := v1.ParsePlatform(p)
	if err != nil {
		return err
	}
	if platform.OS != "linux" || platform.Architecture == "" {
		return fmt.Errorf("%q: want linux/ARCH", p)
	}
	for _, have := range *b {
		if have.Platform.Equals(*platform) {
			return fmt.Errorf("%s given twice", p)
		}
	}
	*b = append(*b, Binary{Platform: *platform, Path: file})
	return nil
}
