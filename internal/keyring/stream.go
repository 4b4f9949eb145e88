package keyring

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// A sealed stream (a file: an upload, a disclosure pack) is
//
//	version (1 byte, 1) | salt (32 bytes) | chunk | chunk | ...
//
// Each chunk is StreamChunkSize bytes of plaintext sealed with AES-256-GCM
// (the last one shorter, or empty if the whole stream is), under a key of
// its own for the stream, HKDF-SHA-256(data key, salt, label + ad), with
// the nonce
//
//	chunk counter (11 bytes, big-endian) | 1 for the last chunk, else 0
//
// This is the STREAM construction (Hoang, Reyhanitabar, Rogaway and Vizár,
// 2015) as age and Tink use it: a random salt per stream makes every
// stream key fresh, so counters never repeat a nonce under one key; each
// chunk is checked as it is read, so memory stays bounded; and the counter
// and last flag make reordering, dropping, truncating or extending the
// chunks fail to open.
const (
	streamVersion    = 1
	streamSaltSize   = 32
	streamHeaderSize = 1 + streamSaltSize
	// StreamChunkSize is the plaintext in each chunk but the last.
	StreamChunkSize = 64 << 10
	streamTagSize   = 16
	streamEncChunk  = StreamChunkSize + streamTagSize
	labelStream     = "rightsdesk/stream/v1\x00"
)

// SealStream returns a writer that seals what it is given to w, bound to
// ad (AssociatedData of the record and the file). Close must be called to
// write the last chunk; it does not close w.
func (k *DataKey) SealStream(w io.Writer, ad []byte) (io.WriteCloser, error) {
	header := make([]byte, streamHeaderSize)
	header[0] = streamVersion
	rand.Read(header[1:]) // never fails: it would crash the program first
	aead, err := k.streamAEAD(header[1:], ad)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(header); err != nil {
		return nil, err
	}
	return &streamWriter{w: w, aead: aead, buf: make([]byte, 0, StreamChunkSize)}, nil
}

// OpenStream returns a reader of the plaintext of a stream from SealStream
// with the same ad. Each chunk is checked before any of it is returned; a
// stream altered, cut short or extended ends in ErrAuthentication, one that
// is not a sealed stream in ErrMalformed. Act on what was read only once
// the reader has returned io.EOF.
func (k *DataKey) OpenStream(r io.Reader, ad []byte) (io.Reader, error) {
	header := make([]byte, streamHeaderSize)
	if _, err := io.ReadFull(r, header); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("%w: sealed stream shorter than its header", ErrMalformed)
		}
		return nil, err
	}
	if header[0] != streamVersion {
		return nil, fmt.Errorf("%w: sealed stream version %d (this build reads %d)", ErrMalformed, header[0], streamVersion)
	}
	aead, err := k.streamAEAD(header[1:], ad)
	if err != nil {
		return nil, err
	}
	return &streamReader{r: r, aead: aead, enc: make([]byte, streamEncChunk+1), buf: make([]byte, 0, StreamChunkSize)}, nil
}

func (k *DataKey) streamAEAD(salt, ad []byte) (cipher.AEAD, error) {
	key, err := hkdf.Key(sha256.New, k.raw, salt, labelStream+string(ad), KeySize)
	if err != nil {
		return nil, fmt.Errorf("keyring: %w", err)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("keyring: %w", err)
	}
	return cipher.NewGCM(block)
}

// streamNonce is the nonce of chunk n.
func streamNonce(nonce []byte, n uint64, last bool) []byte {
	clear(nonce)
	binary.BigEndian.PutUint64(nonce[3:11], n)
	if last {
		nonce[11] = 1
	}
	return nonce
}

var errStreamTooLong = errors.New("keyring: sealed stream has too many chunks")

type streamWriter struct {
	w      io.Writer
	aead   cipher.AEAD
	buf    []byte // plaintext not yet sealed: held back until more arrives, since the last chunk is sealed differently
	out    []byte
	nonce  [12]byte
	n      uint64
	err    error
	closed bool
}

func (s *streamWriter) Write(p []byte) (int, error) {
	if s.closed {
		return 0, errors.New("keyring: write to a closed sealed stream")
	}
	written := 0
	for len(p) > 0 && s.err == nil {
		if len(s.buf) == StreamChunkSize {
			s.flush(false)
			continue
		}
		c := copy(s.buf[len(s.buf):StreamChunkSize], p)
		s.buf, p, written = s.buf[:len(s.buf)+c], p[c:], written+c
	}
	return written, s.err
}

// Close seals and writes the last chunk.
func (s *streamWriter) Close() error {
	if s.closed {
		return s.err
	}
	s.closed = true
	if s.err == nil {
		s.flush(true)
	}
	return s.err
}

func (s *streamWriter) flush(last bool) {
	if s.n == math.MaxUint64 {
		s.err = errStreamTooLong
		return
	}
	s.out = s.aead.Seal(s.out[:0], streamNonce(s.nonce[:], s.n, last), s.buf, nil)
	s.n++
	s.buf = s.buf[:0]
	_, s.err = s.w.Write(s.out)
}

type streamReader struct {
	r     io.Reader
	aead  cipher.AEAD
	enc   []byte // one sealed chunk and the first byte after it, which tells whether it was the last
	carry bool   // enc[0] holds the byte read after the previous chunk
	plain []byte // opened, not yet read: a window on buf
	buf   []byte
	nonce [12]byte
	n     uint64
	done  bool
	err   error
}

func (s *streamReader) Read(p []byte) (int, error) {
	for len(s.plain) == 0 {
		switch {
		case s.err != nil:
			return 0, s.err
		case s.done:
			return 0, io.EOF
		}
		s.err = s.next()
	}
	c := copy(p, s.plain)
	s.plain = s.plain[c:]
	return c, nil
}

// next reads and opens one chunk. A chunk followed by more bytes is not
// the last; one followed by the end of the stream is.
func (s *streamReader) next() error {
	start := 0
	if s.carry {
		start = 1
	}
	got, err := io.ReadFull(s.r, s.enc[start:])
	total := start + got
	last := false
	switch {
	case err == nil:
		total = streamEncChunk
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		last = true
	default:
		return err
	}
	if total < streamTagSize {
		return fmt.Errorf("%w: sealed stream cut short", ErrAuthentication)
	}
	if s.n == math.MaxUint64 {
		return errStreamTooLong
	}
	plain, err := s.aead.Open(s.buf[:0], streamNonce(s.nonce[:], s.n, last), s.enc[:total], nil)
	if err != nil {
		return ErrAuthentication
	}
	s.n++
	s.plain, s.done = plain, last
	if !last {
		s.enc[0], s.carry = s.enc[streamEncChunk], true
	}
	return nil
}

// StreamSealer seals the files of one record and field with SealStream and
// OpenStream; it has the method set of the blob store's Sealer.
type StreamSealer struct {
	key *DataKey
	ad  []byte
}

// StreamSealer returns the sealer for files bound to ad.
func (k *DataKey) StreamSealer(ad []byte) StreamSealer { return StreamSealer{key: k, ad: ad} }

func (s StreamSealer) Seal(w io.Writer) (io.WriteCloser, error) { return s.key.SealStream(w, s.ad) }
func (s StreamSealer) Open(r io.Reader) (io.Reader, error)      { return s.key.OpenStream(r, s.ad) }
