package s3blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/rightsdesk/rightsdesk/internal/blob"
)

// Config is how to reach the bucket.
type Config struct {
	// Endpoint is HOST:PORT; Secure makes it HTTPS.
	Endpoint string
	Secure   bool
	Region   string
	Bucket   string
	// Prefix is prepended to every key ("" for none).
	Prefix string
	// AccessKey and SecretKey sign requests; both empty uses the
	// environment and instance credentials (AWS_*, IAM roles).
	AccessKey, SecretKey string
	// MaxSize is the size limit (blob.DefaultMaxSize when zero).
	MaxSize int64
	// SpoolDir is where Put buffers a stream ("" is os.TempDir()).
	SpoolDir string
	// Transport is the HTTP transport (nil for the default).
	Transport http.RoundTripper
}

// ParseURL reads s3://BUCKET[/PREFIX]?endpoint=HOST:PORT[&secure=0][&region=R]
// with the keys from $RIGHTSDESK_S3_ACCESS_KEY and $RIGHTSDESK_S3_SECRET_KEY
// (or the standard AWS environment when those are unset).
func ParseURL(s string) (Config, error) {
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "s3" || u.Host == "" {
		return Config{}, fmt.Errorf("%q: a blob store on S3 is s3://BUCKET[/PREFIX]?endpoint=HOST:PORT", s)
	}
	q := u.Query()
	cfg := Config{
		Bucket: u.Host, Prefix: strings.Trim(u.Path, "/"), Endpoint: q.Get("endpoint"), Region: q.Get("region"),
		Secure: q.Get("secure") != "0", AccessKey: os.Getenv("RIGHTSDESK_S3_ACCESS_KEY"), SecretKey: os.Getenv("RIGHTSDESK_S3_SECRET_KEY"),
	}
	if cfg.Prefix != "" {
		cfg.Prefix += "/"
	}
	if cfg.Endpoint == "" {
		cfg.Endpoint = "s3.amazonaws.com"
	}
	return cfg, nil
}

// Store is a blob.Store in an S3 bucket.
type Store struct {
	c   *minio.Client
	cfg Config
}

var _ blob.Store = (*Store)(nil)

// Open connects and checks the bucket exists.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	if cfg.MaxSize <= 0 {
		cfg.MaxSize = blob.DefaultMaxSize
	}
	creds := credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, "")
	if cfg.AccessKey == "" && cfg.SecretKey == "" {
		creds = credentials.NewChainCredentials([]credentials.Provider{&credentials.EnvAWS{}, &credentials.IAM{}})
	}
	c, err := minio.New(cfg.Endpoint, &minio.Options{Creds: creds, Secure: cfg.Secure, Region: cfg.Region, Transport: cfg.Transport, BucketLookup: minio.BucketLookupPath})
	if err != nil {
		return nil, fmt.Errorf("blob store on %s: %w", cfg.Endpoint, err)
	}
	ok, err := c.BucketExists(ctx, cfg.Bucket)
	if err != nil {
		return nil, fmt.Errorf("blob store: bucket %s on %s: %w", cfg.Bucket, cfg.Endpoint, err)
	}
	if !ok {
		return nil, fmt.Errorf("blob store: there is no bucket %s on %s", cfg.Bucket, cfg.Endpoint)
	}
	return &Store{c: c, cfg: cfg}, nil
}

const metaSHA256 = "Sha256" // sent as X-Amz-Meta-Sha256

func (s *Store) object(key string) string { return s.cfg.Prefix + key }

// Put implements blob.Store.
func (s *Store) Put(ctx context.Context, key string, r io.Reader) (blob.Info, error) {
	if err := blob.CheckKey(key); err != nil {
		return blob.Info{}, err
	}
	if _, err := s.Stat(ctx, key); err == nil {
		return blob.Info{}, fmt.Errorf("%w: %s", blob.ErrExists, key)
	} else if !errors.Is(err, blob.ErrNotFound) {
		return blob.Info{}, err
	}
	spool, err := os.CreateTemp(s.cfg.SpoolDir, "rightsdesk-blob-")
	if err != nil {
		return blob.Info{}, err
	}
	defer os.Remove(spool.Name())
	defer spool.Close()
	m := blob.NewMetered(r, s.cfg.MaxSize)
	if _, err := io.Copy(spool, blob.StopWith(ctx, m)); err != nil {
		return blob.Info{}, err
	}
	if _, err := spool.Seek(0, io.SeekStart); err != nil {
		return blob.Info{}, err
	}
	opts := minio.PutObjectOptions{ContentType: "application/octet-stream", UserMetadata: map[string]string{metaSHA256: m.SHA256()}}
	opts.SetMatchETagExcept("*") // If-None-Match: *: refuse an existing key
	up, err := s.c.PutObject(ctx, s.cfg.Bucket, s.object(key), spool, m.Size(), opts)
	if err != nil {
		if resp := minio.ToErrorResponse(err); resp.StatusCode == http.StatusPreconditionFailed || resp.Code == "PreconditionFailed" {
			return blob.Info{}, fmt.Errorf("%w: %s", blob.ErrExists, key)
		}
		return blob.Info{}, fmt.Errorf("blob store: put %s: %w", key, err)
	}
	return blob.Info{Key: key, Size: m.Size(), SHA256: m.SHA256(), Modified: up.LastModified}, nil
}

func notFound(err error) bool {
	resp := minio.ToErrorResponse(err)
	return resp.Code == "NoSuchKey" || resp.StatusCode == http.StatusNotFound
}

// Stat implements blob.Store.
func (s *Store) Stat(ctx context.Context, key string) (blob.Info, error) {
	if err := blob.CheckKey(key); err != nil {
		return blob.Info{}, err
	}
	oi, err := s.c.StatObject(ctx, s.cfg.Bucket, s.object(key), minio.StatObjectOptions{})
	if err != nil {
		if notFound(err) {
			return blob.Info{}, fmt.Errorf("%w: %s", blob.ErrNotFound, key)
		}
		return blob.Info{}, fmt.Errorf("blob store: stat %s: %w", key, err)
	}
	return s.info(key, oi), nil
}

func (s *Store) info(key string, oi minio.ObjectInfo) blob.Info {
	sum := oi.UserMetadata[metaSHA256]
	if sum == "" {
		sum = oi.Metadata.Get("X-Amz-Meta-" + metaSHA256)
	}
	return blob.Info{Key: key, Size: oi.Size, SHA256: sum, Modified: oi.LastModified}
}

// Get implements blob.Store.
func (s *Store) Get(ctx context.Context, key string) (io.ReadCloser, blob.Info, error) {
	info, err := s.Stat(ctx, key)
	if err != nil {
		return nil, blob.Info{}, err
	}
	obj, err := s.c.GetObject(ctx, s.cfg.Bucket, s.object(key), minio.GetObjectOptions{})
	if err != nil {
		if notFound(err) {
			return nil, blob.Info{}, fmt.Errorf("%w: %s", blob.ErrNotFound, key)
		}
		return nil, blob.Info{}, fmt.Errorf("blob store: get %s: %w", key, err)
	}
	return obj, info, nil
}

// Delete implements blob.Store.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := blob.CheckKey(key); err != nil {
		return err
	}
	if err := s.c.RemoveObject(ctx, s.cfg.Bucket, s.object(key), minio.RemoveObjectOptions{}); err != nil && !notFound(err) {
		return fmt.Errorf("blob store: delete %s: %w", key, err)
	}
	return nil
}

// List implements blob.Store; S3 lists in key order.
func (s *Store) List(ctx context.Context, prefix string, fn func(blob.Info) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for oi := range s.c.ListObjects(ctx, s.cfg.Bucket, minio.ListObjectsOptions{Prefix: s.object(prefix), Recursive: true}) {
		if oi.Err != nil {
			return fmt.Errorf("blob store: list %s: %w", prefix, oi.Err)
		}
		if err := fn(s.info(strings.TrimPrefix(oi.Key, s.cfg.Prefix), oi)); err != nil {
			return err
		}
	}
	return nil
}
