package integrity

// BoundProofCache sets how many hashes the proof cache keeps (tests of its level drop).
func (s *Service) BoundProofCache(n int) { s.proofs.max = n }

// ProofCacheLevels says the lowest level the proof cache keeps and how many hashes.
func (s *Service) ProofCacheLevels() (low, hashes int) {
	s.proofs.mu.RLock()
	defer s.proofs.mu.RUnlock()
	return s.proofs.low, s.proofs.hashes
}
