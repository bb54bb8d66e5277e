// tests/interop/ttrpc/main.go: the Go side of berth's ttrpc interoperability test, built from
// Debian's packaged sources (ttrpc 1.1.1, gogo/protobuf types, containerd 1.6 errdefs) in GOPATH
// mode, offline. tests/integration/ttrpc_interop.bats builds and runs it.
//
//	ttrpc-interop server ADDR    serve berth.interop.v1.Echo until SIGTERM ("@name": abstract)
//	ttrpc-interop client ADDR    check a server (berth's C one), print one "ok" line per check
//	ttrpc-interop refused ADDR   expect the server to drop us (run under another uid)
//
// The service is the one tests/interop/ttrpc/peer.c implements: Echo, Sleep, Fail, Meta, Big,
// each taking and returning a google.protobuf.StringValue.
package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/containerd/containerd/errdefs"
	"github.com/containerd/ttrpc"
	"github.com/gogo/protobuf/proto"
	"github.com/gogo/protobuf/types"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

const service = "berth.interop.v1.Echo"

func value(unmarshal func(interface{}) error) (string, error) {
	var req types.StringValue
	if err := unmarshal(&req); err != nil {
		return "", err
	}
	return req.Value, nil
}

func reply(s string) *types.StringValue { return &types.StringValue{Value: s} }

func serve(addr string) error {
	s, err := ttrpc.NewServer(ttrpc.WithServerHandshaker(ttrpc.UnixSocketRequireSameUser()))
	if err != nil {
		return err
	}
	s.Register(service, map[string]ttrpc.Method{
		"Echo": func(ctx context.Context, u func(interface{}) error) (interface{}, error) {
			v, err := value(u)
			if err != nil {
				return nil, err
			}
			return reply(v), nil
		},
		"Sleep": func(ctx context.Context, u func(interface{}) error) (interface{}, error) {
			v, err := value(u)
			if err != nil {
				return nil, err
			}
			ms, err := strconv.Atoi(v)
			if err != nil {
				return nil, errdefs.ToGRPC(fmt.Errorf("sleep %q: %w", v, errdefs.ErrInvalidArgument))
			}
			select {
			case <-time.After(time.Duration(ms) * time.Millisecond):
				return reply("slept " + v), nil
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		},
		"Fail": func(ctx context.Context, u func(interface{}) error) (interface{}, error) {
			v, err := value(u)
			if err != nil {
				return nil, err
			}
			return nil, errdefs.ToGRPC(fmt.Errorf("thing %q: %w", v, errdefs.ErrNotFound))
		},
		"Meta": func(ctx context.Context, u func(interface{}) error) (interface{}, error) {
			if _, err := value(u); err != nil {
				return nil, err
			}
			ns, _ := ttrpc.GetMetadataValue(ctx, "containerd-namespace-ttrpc")
			_, has := ctx.Deadline()
			t := "no"
			if has {
				t = "yes"
			}
			return reply("ns=" + ns + " timeout=" + t), nil
		},
		"Big": func(ctx context.Context, u func(interface{}) error) (interface{}, error) {
			v, err := value(u)
			if err != nil {
				return nil, err
			}
			n, _ := strconv.Atoi(v)
			return reply(strings.Repeat("x", n)), nil
		},
	})
	l, err := net.Listen("unix", addr)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	go func() {
		<-ctx.Done()
		s.Close()
	}()
	fmt.Println("ready")
	if err := s.Serve(context.Background(), l); err != nil && !errors.Is(err, ttrpc.ErrServerClosed) {
		return err
	}
	return nil
}

type checker struct {
	c *ttrpc.Client
}

func dial(addr string) (*ttrpc.Client, error) {
	conn, err := net.Dial("unix", addr)
	if err != nil {
		return nil, err
	}
	return ttrpc.NewClient(conn), nil
}

func (k *checker) call(ctx context.Context, method, v string) (string, error) {
	var resp types.StringValue
	err := k.c.Call(ctx, service, method, reply(v), &resp)
	return resp.Value, err
}

func expectStatus(err error, code codes.Code, msg string) error {
	st, ok := status.FromError(err)
	if !ok {
		return fmt.Errorf("want a status %v %q, got %v", code, msg, err)
	}
	if st.Code() != code || st.Message() != msg {
		return fmt.Errorf("want status %v %q, got %v %q", code, msg, st.Code(), st.Message())
	}
	return nil
}

func oversizeText(n int) string {
	return fmt.Sprintf("message length %d exceed maximum message size of %d", n, 4<<20)
}

func runChecks(addr string) error {
	c, err := dial(addr)
	if err != nil {
		return err
	}
	defer c.Close()
	k := &checker{c: c}
	bg := context.Background()
	checks := []struct {
		name string
		fn   func() error
	}{
		{"echo", func() error {
			for _, v := range []string{"hello", ""} {
				got, err := k.call(bg, "Echo", v)
				if err != nil || got != v {
					return fmt.Errorf("echo %q: got %q, %v", v, got, err)
				}
			}
			return nil
		}},
		{"a pending call does not hold up the others (answered out of order)", func() error {
			slept := make(chan error, 1)
			var sleptAt time.Time
			go func() {
				got, err := k.call(bg, "Sleep", "700")
				sleptAt = time.Now()
				if err == nil && got != "slept 700" {
					err = fmt.Errorf("sleep: got %q", got)
				}
				slept <- err
			}()
			time.Sleep(100 * time.Millisecond)
			for i := 0; i < 5; i++ {
				if got, err := k.call(bg, "Echo", strconv.Itoa(i)); err != nil || got != strconv.Itoa(i) {
					return fmt.Errorf("echo while sleeping: %q, %v", got, err)
				}
			}
			echoedAt := time.Now()
			if err := <-slept; err != nil {
				return err
			}
			if !echoedAt.Before(sleptAt) {
				return errors.New("the echoes waited for the pending call")
			}
			return nil
		}},
		{"100 concurrent calls on one connection", func() error {
			var wg sync.WaitGroup
			errs := make(chan error, 100)
			for i := 0; i < 100; i++ {
				wg.Add(1)
				go func(i int) {
					defer wg.Done()
					v := strings.Repeat(strconv.Itoa(i), i)
					if got, err := k.call(bg, "Echo", v); err != nil || got != v {
						errs <- fmt.Errorf("call %d: %v", i, err)
					}
				}(i)
			}
			wg.Wait()
			close(errs)
			return <-errs
		}},
		{"errdefs NotFound round trip", func() error {
			_, err := k.call(bg, "Fail", "x")
			if err := expectStatus(err, codes.NotFound, `thing "x": not found`); err != nil {
				return err
			}
			err = errdefs.FromGRPC(err)
			if !errdefs.IsNotFound(err) || err.Error() != `thing "x": not found` {
				return fmt.Errorf("errdefs.FromGRPC: %v (IsNotFound %v)", err, errdefs.IsNotFound(err))
			}
			return nil
		}},
		{"unknown method and service", func() error {
			_, err := k.call(bg, "Nope", "")
			if err := expectStatus(err, codes.Unimplemented, "method Nope"); err != nil {
				return err
			}
			var resp types.StringValue
			err = c.Call(bg, "berth.interop.v1.Nope", "Echo", reply(""), &resp)
			return expectStatus(err, codes.Unimplemented, "service berth.interop.v1.Nope")
		}},
		{"metadata and timeout reach the handler", func() error {
			ctx := ttrpc.WithMetadata(bg, ttrpc.MD{"containerd-namespace-ttrpc": {"default"}})
			ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			if got, err := k.call(ctx, "Meta", ""); err != nil || got != "ns=default timeout=yes" {
				return fmt.Errorf("meta: %q, %v", got, err)
			}
			if got, err := k.call(bg, "Meta", ""); err != nil || got != "ns= timeout=no" {
				return fmt.Errorf("meta without: %q, %v", got, err)
			}
			return nil
		}},
		{"over-limit request: RESOURCE_EXHAUSTED, connection still usable", func() error {
			v := strings.Repeat("y", 5<<20)
			req, _ := proto.Marshal(&ttrpc.Request{Service: service, Method: "Echo", Payload: mustMarshal(reply(v))})
			_, err := k.call(bg, "Echo", v)
			if err := expectStatus(err, codes.ResourceExhausted, oversizeText(len(req))); err != nil {
				return err
			}
			if got, err := k.call(bg, "Echo", "after"); err != nil || got != "after" {
				return fmt.Errorf("echo after: %q, %v", got, err)
			}
			return nil
		}},
		{"over-limit answer is refused by the server, not sent", func() error {
			_, err := k.call(bg, "Big", strconv.Itoa(5<<20))
			st, _ := status.FromError(err)
			if st.Code() != codes.ResourceExhausted || !strings.HasSuffix(st.Message(), "exceed maximum message size of 4194304") {
				return fmt.Errorf("big: %v", err)
			}
			if got, err := k.call(bg, "Echo", "after"); err != nil || got != "after" {
				return fmt.Errorf("echo after: %q, %v", got, err)
			}
			return nil
		}},
		{"a client that goes away with a call pending", func() error {
			c2, err := dial(addr)
			if err != nil {
				return err
			}
			done := make(chan error, 1)
			go func() {
				var resp types.StringValue
				done <- c2.Call(bg, service, "Sleep", reply("5000"), &resp)
			}()
			time.Sleep(300 * time.Millisecond)
			c2.Close()
			if err := <-done; !errors.Is(err, ttrpc.ErrClosed) {
				return fmt.Errorf("pending call after close: %v", err)
			}
			if got, err := k.call(bg, "Echo", "still"); err != nil || got != "still" {
				return fmt.Errorf("echo after: %q, %v", got, err)
			}
			return nil
		}},
	}
	for _, ch := range checks {
		if err := ch.fn(); err != nil {
			return fmt.Errorf("%s: %w", ch.name, err)
		}
		fmt.Println("ok -", ch.name)
	}
	return nil
}

func mustMarshal(m proto.Message) []byte {
	b, err := proto.Marshal(m)
	if err != nil {
		panic(err)
	}
	return b
}

// The server checks our credentials and closes the connection: every call fails with ErrClosed.
func refused(addr string) error {
	c, err := dial(addr)
	if err != nil {
		return err
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var resp types.StringValue
	err = c.Call(ctx, service, "Echo", reply("x"), &resp)
	if !errors.Is(err, ttrpc.ErrClosed) {
		return fmt.Errorf("want ttrpc.ErrClosed, got %v", err)
	}
	fmt.Println("ok - refused")
	return nil
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: ttrpc-interop server|client|refused ADDR")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "server":
		err = serve(os.Args[2])
	case "client":
		err = runChecks(os.Args[2])
	case "refused":
		err = refused(os.Args[2])
	default:
		err = fmt.Errorf("unknown mode %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "ttrpc-interop:", err)
		os.Exit(1)
	}
}
