package seal

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// LoadOrCreateKeyFile returns the keyring stored in the file at path, in the
// text form ParseKeys accepts. When the file does not exist it generates a
// key and writes it there with permissions 0600 (creating the directory with
// 0700), so that the embedded default needs no configuration. The file
// appears complete or not at all, and two processes starting at once cannot
// both create it: the loser reads the winner's key.
//
// Production sets COMMONGROUND_DATA_KEY and uses ParseKeyring instead; losing
// this file means losing every value sealed under it.
func LoadOrCreateKeyFile(path string) (*Keyring, error) {
	ring, err := loadKeyFile(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return ring, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("seal: create key directory: %w", err)
	}
	key := GenerateKey()
	if err := publishKeyFile(path, []byte(EncodeKey(key)+"\n")); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return loadKeyFile(path)
		}
		return nil, fmt.Errorf("seal: write key file: %w", err)
	}
	return NewKeyring(key)
}

// publishKeyFile writes data to a temporary file and links it into place, so
// that path appears complete or not at all and an existing file is never
// replaced (os.Link fails with fs.ErrExist).
func publishKeyFile(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".datakey-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Link(tmp, path)
}

func loadKeyFile(path string) (*Keyring, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("seal: read key file: %w", err)
	}
	ring, err := ParseKeyring(string(b))
	if err != nil {
		return nil, fmt.Errorf("key file %s: %w", path, err)
	}
	return ring, nil
}
