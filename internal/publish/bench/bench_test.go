//go:build servers

package bench

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/modelci/modelci/internal/modelpack"
	"github.com/modelci/modelci/internal/publish"
	"github.com/modelci/modelci/internal/publish/oci"
	"github.com/modelci/modelci/internal/publish/publishtest"
	"github.com/modelci/modelci/internal/publish/s3"
)

// TestPublishFigures prints the benchmark's figures; it runs only when
// MODELCI_BENCH_PUBLISH=1 (scripts/bench-publish), with MODELCI_BENCH_DIR
// as scratch space and MODELCI_BENCH_CLI the modelci binary.
func TestPublishFigures(t *testing.T) {
	if os.Getenv("MODELCI_BENCH_PUBLISH") != "1" {
		t.Skip("run by scripts/bench-publish")
	}
	srv := publishtest.LoadServers(t)
	scratch := os.Getenv("MODELCI_BENCH_DIR")
	cli := os.Getenv("MODELCI_BENCH_CLI")
	ctx := context.Background()
	gib := int64(1) << 30
	model1, layout1 := makeModel(t, filepath.Join(scratch, "1g"), gib)

	ours := timed(t, func() error { return pushOCI(ctx, srv.Registry, "bench/ours", layout1) })
	repush := timed(t, func() error { return pushOCI(ctx, srv.Registry, "bench/ours", layout1) })
	orasArgs := []string{"push", "--plain-http", srv.Registry + "/bench/oras:1"}
	for _, f := range []string{"weights.bin", "config.json"} {
		orasArgs = append(orasArgs, f)
	}
	orasT := timed(t, func() error { return run(model1, srv.Oras, orasArgs...) })
	fmt.Printf("1 GiB push to the registry: modelci %.2fs, oras push %.2fs: oras/modelci = %.2fx (goal >= 1.0x)\n", ours, orasT, orasT/ours)
	fmt.Printf("re-push of the unchanged model: %.3fs = %.2f%% of the first push (goal <= 2%%)\n", repush, 100*repush/ours)

	t.Setenv("AWS_ACCESS_KEY_ID", srv.S3AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", srv.S3SecretKey)
	client := awss3.New(awss3.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.S3Endpoint), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider(srv.S3AccessKey, srv.S3SecretKey, "")})
	bucket := "modelci-bench-" + strconv.FormatInt(time.Now().Unix(), 10)
	if _, err := client.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: &bucket}); err != nil {
		t.Fatal(err)
	}
	// Rounds in alternating order, medians: the shared cores make single
	// runs noisy. Each round writes new objects; the dirty pages of the
	// ones before are flushed first (sync), or the later rounds time the
	// disk's write-back of the earlier ones.
	var multi, single []float64
	for r := range s3Rounds {
		pushMulti := func() {
			syscall.Sync()
			multi = append(multi, timed(t, func() error {
				store := s3.NewStore(client, bucket, "multipart-"+strconv.Itoa(r), s3.Options{})
				_, err := publish.Publish(ctx, store, "1", benchModel(layout1), publish.Options{})
				return err
			}))
		}
		putSingle := func() {
			syscall.Sync()
			single = append(single, timed(t, func() error {
				return putOnce(ctx, client, bucket, filepath.Join(model1, "weights.bin"), "single-"+strconv.Itoa(r))
			}))
		}
		if r%2 == 0 {
			pushMulti()
			putSingle()
		} else {
			putSingle()
			pushMulti()
		}
	}
	fmt.Printf("  S3 rounds, seconds: multipart %.2f, one PutObject %.2f\n", multi, single)
	m, o := median(multi), median(single)
	fmt.Printf("1 GiB to S3 (median of %d rounds): multipart (16 MiB parts, 4 at once, CRC-32C per part, SHA-256 of the whole) %.2fs, one PutObject %.2fs: PutObject/multipart = %.2fx (goal >= 1.5x)\n",
		s3Rounds, m, o, o/m)

	rss1 := peakRSS(t, cli, srv.Registry, "bench/rss1", layout1)
	os.RemoveAll(filepath.Join(scratch, "1g"))
	_, layout4 := makeModel(t, filepath.Join(scratch, "4g"), 4*gib)
	rss4 := peakRSS(t, cli, srv.Registry, "bench/rss4", layout4)
	fmt.Printf("peak RSS of modelci publish: 1 GiB model %d MiB, 4 GiB model %d MiB (goal: bounded, the same)\n", rss1>>10, rss4>>10)
}

// makeModel writes a model of size bytes (weights.bin and a config) under
// dir and packs it; it returns the model and layout directories.
func makeModel(t *testing.T, dir string, size int64) (string, string) {
	t.Helper()
	model := filepath.Join(dir, "model")
	publishtest.WriteFiles(t, model, map[string]string{"config.json": `{"layers": 12}`})
	f, err := os.Create(filepath.Join(model, "weights.bin"))
	if err != nil {
		t.Fatal(err)
	}
	block := make([]byte, 8<<20)
	rand.Read(block)
	for n := int64(0); n < size; n += int64(len(block)) {
		block[0]++ // every block differs
		if _, err := f.Write(block[:min(int64(len(block)), size-n)]); err != nil {
			t.Fatal(err)
		}
	}
	f.Close()
	layout := filepath.Join(dir, "layout")
	if _, err := modelpack.Pack(context.Background(), model, "", layout, modelpack.Options{Name: "bench"}); err != nil {
		t.Fatal(err)
	}
	return model, layout
}

func benchModel(layout string) publish.Model {
	rep, _ := publish.ParseReport("report.json", []byte(publishtest.PassedReport))
	return publish.Model{Layout: layout, Report: rep, ReportJSON: []byte(publishtest.PassedReport),
		Record: publish.Record{Verdict: publish.Verdict{GatePassed: true, Approved: true}}}
}

func pushOCI(ctx context.Context, host, repo, layout string) error {
	r, _, err := oci.Open(ctx, host+"/"+repo, oci.Options{PlainHTTP: true})
	if err != nil {
		return err
	}
	_, err = publish.Publish(ctx, r, "1", benchModel(layout), publish.Options{})
	return err
}

// s3Rounds is how many times each S3 upload is timed.
const s3Rounds = 5

// median is xs's median.
func median(xs []float64) float64 {
	s := slices.Sorted(slices.Values(xs))
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// putOnce uploads path in one PutObject, streaming the file, to
// prefix/weights.bin, with the SDK's defaults.
func putOnce(ctx context.Context, c *awss3.Client, bucket, path, prefix string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	info, _ := f.Stat()
	_, err = c.PutObject(ctx, &awss3.PutObjectInput{Bucket: &bucket, Key: aws.String(prefix + "/weights.bin"), Body: f, ContentLength: aws.Int64(info.Size())})
	return err
}

// peakRSS runs modelci publish of layout and returns its peak RSS in KiB.
func peakRSS(t *testing.T, cli, host, repo, layout string) int64 {
	t.Helper()
	dir := t.TempDir()
	publishtest.WriteFiles(t, dir, map[string]string{"report.json": publishtest.PassedReport})
	cmd := exec.Command(cli, "publish", "--plain-http", "--model", layout, "--report", filepath.Join(dir, "report.json"),
		"--registry", host+"/"+repo+":1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("modelci publish: %v\n%s", err, out)
	}
	return cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss
}

func run(dir, name string, args ...string) error {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "HOME="+dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s: %v\n%s", name, err, out)
	}
	return nil
}

func timed(t *testing.T, f func() error) float64 {
	t.Helper()
	start := time.Now()
	if err := f(); err != nil {
		t.Fatal(err)
	}
	return time.Since(start).Seconds()
}
