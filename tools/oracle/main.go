// wregoracle checks what wreg's transparency log serves with code nobody on wreg wrote: Go's
// golang.org/x/mod/sumdb/{note,tlog} (the Go checksum database's client libraries) and
// github.com/transparency-dev/{formats,merkle} (the libraries of the C2SP ecosystem). The tests
// run it against wreg's checkpoints, tiles and proofs, and against tampered copies of them.
//
//	wregoracle checkpoint -log VKEY -file CHECKPOINT
//	wregoracle inclusion  -log VKEY -entry FILE -proof FILE.tlog-proof
//	wregoracle tiles      -log VKEY (-url PREFIX | -dir DIR) [-old CHECKPOINT] [-print]
//
// `tiles` fetches the checkpoint and every tile and entry bundle of its tree, authenticates each
// tile against the checkpoint's root hash (x/mod's TileHashReader), checks that every entry
// hashes to its leaf, and, given an older checkpoint, proves and checks consistency with it (x/mod
// and transparency-dev/merkle, both must agree). It prints "OK ..." and exits 0, or prints
// "FAIL: ..." and exits 1; bad usage exits 2.
package main

import (
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/transparency-dev/formats/log"
	"github.com/transparency-dev/formats/proof"
	merkleproof "github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

var version = "dev"

const tileHeight = 8

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "version", "-version", "--version":
		fmt.Println("wregoracle", version)
		return
	case "checkpoint":
		err = cmdCheckpoint(os.Args[2:])
	case "inclusion":
		err = cmdInclusion(os.Args[2:])
	case "tiles":
		err = cmdTiles(os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		fmt.Println("FAIL:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: wregoracle checkpoint|inclusion|tiles|version [flags] (see main.go)")
	os.Exit(2)
}

func need(name, value string) {
	if value == "" {
		fmt.Fprintf(os.Stderr, "missing -%s\n", name)
		os.Exit(2)
	}
}

// openCheckpoint verifies a signed checkpoint with the log's key (x/mod note.Open, through
// transparency-dev/formats' ParseCheckpoint, which also checks that the origin is the key name).
func openCheckpoint(vkey string, data []byte) (*log.Checkpoint, error) {
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return nil, fmt.Errorf("bad -log key: %v", err)
	}
	cp, _, _, err := log.ParseCheckpoint(data, v.Name(), v)
	if err != nil {
		return nil, err
	}
	return cp, nil
}

func cmdCheckpoint(args []string) error {
	fs := flag.NewFlagSet("checkpoint", flag.ExitOnError)
	vkey := fs.String("log", "", "the log's verifier key")
	file := fs.String("file", "", "the signed checkpoint")
	fs.Parse(args)
	need("log", *vkey)
	need("file", *file)
	data, err := os.ReadFile(*file)
	if err != nil {
		return err
	}
	cp, err := openCheckpoint(*vkey, data)
	if err != nil {
		return err
	}
	fmt.Printf("OK checkpoint %s size %d root %x\n", cp.Origin, cp.Size, cp.Hash)
	return nil
}

func cmdInclusion(args []string) error {
	fs := flag.NewFlagSet("inclusion", flag.ExitOnError)
	vkey := fs.String("log", "", "the log's verifier key")
	entryFile := fs.String("entry", "", "the entry's exact bytes")
	proofFile := fs.String("proof", "", "the c2sp.org/tlog-proof@v1")
	fs.Parse(args)
	need("log", *vkey)
	need("entry", *entryFile)
	need("proof", *proofFile)
	entry, err := os.ReadFile(*entryFile)
	if err != nil {
		return err
	}
	data, err := os.ReadFile(*proofFile)
	if err != nil {
		return err
	}
	var p proof.TLogProof
	if err := p.Unmarshal(data); err != nil {
		return err
	}
	cp, err := openCheckpoint(*vkey, p.Checkpoint)
	if err != nil {
		return err
	}
	// x/mod: the record hash and the audit path must reach the checkpoint's root.
	path := make(tlog.RecordProof, len(p.Hashes))
	for i, h := range p.Hashes {
		path[i] = tlog.Hash(h)
	}
	var root tlog.Hash
	copy(root[:], cp.Hash)
	leaf := tlog.RecordHash(entry)
	if err := tlog.CheckRecord(path, int64(cp.Size), root, int64(p.Index), leaf); err != nil {
		return fmt.Errorf("x/mod tlog: %v", err)
	}
	// transparency-dev/merkle: the same proof, a second implementation.
	hashes := make([][]byte, len(p.Hashes))
	for i := range p.Hashes {
		hashes[i] = p.Hashes[i][:]
	}
	if err := merkleproof.VerifyInclusion(rfc6962.DefaultHasher, p.Index, cp.Size, leaf[:], hashes, cp.Hash); err != nil {
		return fmt.Errorf("transparency-dev/merkle: %v", err)
	}
	fmt.Printf("OK inclusion of entry %d in %s size %d\n", p.Index, cp.Origin, cp.Size)
	return nil
}

// source reads the log's resources from a URL prefix or a directory.
type source struct {
	url, dir string
	client   *http.Client
	fetched  int
}

func (s *source) get(path string) ([]byte, error) {
	s.fetched++
	if s.dir != "" {
		return os.ReadFile(filepath.Join(s.dir, filepath.FromSlash(path)))
	}
	resp, err := s.client.Get(strings.TrimSuffix(s.url, "/") + "/" + path)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<24))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", path, resp.Status)
	}
	return body, nil
}

// c2spPath maps x/mod's sumdb tile path (tile/8/L/N, tile/8/data/N) to C2SP's (tile/L/N,
// tile/entries/N).
func c2spPath(t tlog.Tile) string {
	p := t.Path()
	p = strings.Replace(p, fmt.Sprintf("tile/%d/", tileHeight), "tile/", 1)
	return strings.Replace(p, "tile/data/", "tile/entries/", 1)
}

// tileReader serves x/mod's TileHashReader from the source.
type tileReader struct{ src *source }

func (r tileReader) Height() int { return tileHeight }

func (r tileReader) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		data, err := r.src.get(c2spPath(t))
		if err != nil {
			return nil, err
		}
		if len(data) != t.W*tlog.HashSize {
			return nil, fmt.Errorf("tile %s has %d bytes, want %d", c2spPath(t), len(data), t.W*tlog.HashSize)
		}
		out[i] = data
	}
	return out, nil
}

func (r tileReader) SaveTiles([]tlog.Tile, [][]byte) {}

func decodeBundle(data []byte, width int) ([][]byte, error) {
	var out [][]byte
	for len(data) > 0 {
		if len(data) < 2 {
			return nil, errors.New("truncated entry length")
		}
		n := int(binary.BigEndian.Uint16(data))
		if len(data) < 2+n {
			return nil, errors.New("truncated entry")
		}
		out = append(out, data[2:2+n])
		data = data[2+n:]
	}
	if len(out) != width {
		return nil, fmt.Errorf("bundle has %d entries, want %d", len(out), width)
	}
	return out, nil
}

func cmdTiles(args []string) error {
	fs := flag.NewFlagSet("tiles", flag.ExitOnError)
	vkey := fs.String("log", "", "the log's verifier key")
	url := fs.String("url", "", "the log's URL prefix (serving checkpoint and tile/)")
	dir := fs.String("dir", "", "a directory holding checkpoint and tile/")
	oldFile := fs.String("old", "", "an older signed checkpoint to prove consistency with")
	print := fs.Bool("print", false, "print every entry")
	fs.Parse(args)
	need("log", *vkey)
	if (*url == "") == (*dir == "") {
		fmt.Fprintln(os.Stderr, "give one of -url and -dir")
		os.Exit(2)
	}
	src := &source{url: *url, dir: *dir, client: &http.Client{Timeout: 30 * time.Second}}
	data, err := src.get("checkpoint")
	if err != nil {
		return err
	}
	cp, err := openCheckpoint(*vkey, data)
	if err != nil {
		return err
	}
	n := int64(cp.Size)
	var root tlog.Hash
	copy(root[:], cp.Hash)
	tree := tlog.Tree{N: n, Hash: root}
	reader := tlog.TileHashReader(tree, tileReader{src})

	// Every hash tile of the tree, authenticated against the root by TileHashReader.
	if n > 0 {
		th, err := tlog.TreeHash(n, reader)
		if err != nil {
			return fmt.Errorf("x/mod tlog: %v", err)
		}
		if th != root {
			return fmt.Errorf("the tiles' tree hash %x is not the checkpoint's %x", th[:], cp.Hash)
		}
	}
	tiles := tlog.NewTiles(tileHeight, 0, n)
	for _, t := range tiles {
		idx := make([]int64, t.W)
		for i := range idx {
			idx[i] = tlog.StoredHashIndex(t.L*tileHeight, t.N<<tileHeight+int64(i))
		}
		if _, err := reader.ReadHashes(idx); err != nil {
			return fmt.Errorf("x/mod tlog: tile %s: %v", c2spPath(t), err)
		}
	}

	// Every entry bundle: each entry must hash to its (authenticated) leaf hash.
	entries := 0
	for start := int64(0); start < n; start += 1 << tileHeight {
		w := n - start
		if w > 1<<tileHeight {
			w = 1 << tileHeight
		}
		t := tlog.Tile{H: tileHeight, L: -1, N: start >> tileHeight, W: int(w)}
		data, err := src.get(c2spPath(t))
		if err != nil {
			return err
		}
		bundle, err := decodeBundle(data, int(w))
		if err != nil {
			return fmt.Errorf("entry bundle %s: %v", c2spPath(t), err)
		}
		idx := make([]int64, w)
		for i := range idx {
			idx[i] = tlog.StoredHashIndex(0, start+int64(i))
		}
		leaves, err := reader.ReadHashes(idx)
		if err != nil {
			return fmt.Errorf("x/mod tlog: %v", err)
		}
		for i, e := range bundle {
			if tlog.RecordHash(e) != leaves[i] {
				return fmt.Errorf("entry %d does not match its leaf hash", start+int64(i))
			}
			if *print {
				fmt.Printf("%d %s", start+int64(i), e)
			}
			entries++
		}
	}

	if *oldFile != "" {
		oldData, err := os.ReadFile(*oldFile)
		if err != nil {
			return err
		}
		old, err := openCheckpoint(*vkey, oldData)
		if err != nil {
			return fmt.Errorf("old checkpoint: %v", err)
		}
		if old.Size > cp.Size {
			return fmt.Errorf("the old checkpoint (size %d) is larger than the current one (%d)", old.Size, cp.Size)
		}
		if old.Size == 0 {
			fmt.Printf("OK consistency 0 -> %d\n", cp.Size)
			fmt.Printf("OK tiles of %s size %d: %d hash tiles, %d entries\n", cp.Origin, cp.Size, len(tiles), entries)
			return nil
		}
		var oldRoot tlog.Hash
		copy(oldRoot[:], old.Hash)
		p, err := tlog.ProveTree(n, int64(old.Size), reader)
		if err != nil {
			return fmt.Errorf("x/mod tlog: %v", err)
		}
		if err := tlog.CheckTree(p, n, root, int64(old.Size), oldRoot); err != nil {
			return fmt.Errorf("x/mod tlog: %v", err)
		}
		hashes := make([][]byte, len(p))
		for i := range p {
			hashes[i] = p[i][:]
		}
		if err := merkleproof.VerifyConsistency(rfc6962.DefaultHasher, old.Size, cp.Size, hashes, old.Hash, cp.Hash); err != nil {
			return fmt.Errorf("transparency-dev/merkle: %v", err)
		}
		fmt.Printf("OK consistency %d -> %d\n", old.Size, cp.Size)
	}
	fmt.Printf("OK tiles of %s size %d: %d hash tiles, %d entries\n", cp.Origin, cp.Size, len(tiles), entries)
	return nil
}
