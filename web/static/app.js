// The public page's only script: it checks an event's inclusion proof in the browser,
// with its own SHA-256, so that anyone can see for themselves that the record is in the
// tree whose root the signed checkpoint states. It loads nothing from elsewhere.
"use strict";

(function () {
  var K = new Uint32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2]);

  function rotr(x, n) { return (x >>> n) | (x << (32 - n)); }

  // sha256 returns the SHA-256 digest (FIPS 180-4) of a Uint8Array.
  function sha256(msg) {
    var h = new Uint32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
    var padded = new Uint8Array(((msg.length + 9 + 63) >> 6) << 6);
    padded.set(msg);
    padded[msg.length] = 0x80;
    var bits = msg.length * 8, view = new DataView(padded.buffer);
    view.setUint32(padded.length - 8, Math.floor(bits / 0x100000000));
    view.setUint32(padded.length - 4, bits >>> 0);
    var w = new Uint32Array(64);
    for (var off = 0; off < padded.length; off += 64) {
      for (var i = 0; i < 16; i++) w[i] = view.getUint32(off + 4 * i);
      for (i = 16; i < 64; i++) {
        var s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >>> 3);
        var s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >>> 10);
        w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
      }
      var a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
      for (i = 0; i < 64; i++) {
        var t1 = (k + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i]) | 0;
        var t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
        k = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
      }
      h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += k;
    }
    var out = new Uint8Array(32), ov = new DataView(out.buffer);
    for (i = 0; i < 8; i++) ov.setUint32(4 * i, h[i]);
    return out;
  }

  function fromBase64(s) {
    var bin = atob(s), out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }

  function equal(a, b) {
    if (a.length !== b.length) return false;
    for (var i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }

  function concat(prefix, x, y) {
    var out = new Uint8Array(1 + x.length + (y ? y.length : 0));
    out[0] = prefix;
    out.set(x, 1);
    if (y) out.set(y, 1 + x.length);
    return out;
  }

  // rootFromInclusion walks an RFC 9162 (section 2.1.3.2) audit path from a leaf hash up
  // to the root it implies, or returns null when the path has the wrong length.
  function rootFromInclusion(index, size, leaf, path) {
    if (index < 0 || index >= size) return null;
    var fn = index, sn = size - 1, r = leaf;
    for (var i = 0; i < path.length; i++) {
      if (sn === 0) return null;
      if (fn % 2 === 1 || fn === sn) {
        r = sha256(concat(1, path[i], r));
        if (fn % 2 === 0) {
          while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
        }
      } else {
        r = sha256(concat(1, r, path[i]));
      }
      fn = Math.floor(fn / 2); sn = Math.floor(sn / 2);
    }
    return sn === 0 ? r : null;
  }

  // verifyProof checks a proof from /p/proof: the leaf hash from the entry, the audit
  // path to the root, and that root and size are the ones the checkpoint states.
  function verifyProof(p) {
    var entry = fromBase64(p.entry), leaf = sha256(concat(0, entry));
    if (!equal(leaf, fromBase64(p.leafHash))) return "leaf hash";
    var root = rootFromInclusion(p.leafIndex, p.treeSize, leaf, p.inclusion.map(fromBase64));
    if (!root || !equal(root, fromBase64(p.rootHash))) return "inclusion";
    var lines = p.checkpoint.split("\n");
    if (lines.length < 3 || lines[1] !== String(p.treeSize) || lines[2] !== p.rootHash) return "checkpoint";
    return "";
  }

  window.zhuisuVerifyProof = verifyProof;
  window.zhuisuSHA256 = sha256;

  function check() {
    var box = document.getElementById("integrity"), out = document.getElementById("verify-result");
    if (!box || !out || !box.dataset.proof) return;
    var fail = function (why) { out.textContent = box.dataset.fail + (why ? " (" + why + ")" : ""); out.className = "small bad"; };
    fetch(box.dataset.proof, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (res) { if (!res.ok) throw new Error(String(res.status)); return res.json(); })
      .then(function (p) {
        var why = verifyProof(p);
        if (why) { fail(why); return; }
        out.textContent = box.dataset.ok + " (" + p.leafIndex + " / " + p.treeSize + ")";
        out.className = "small good";
      })
      .catch(function (e) { fail(e.message); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var button = document.getElementById("verify");
    if (button) button.addEventListener("click", check);
    // A page with a proof checks it at once: it costs a few dozen hashes.
    check();
  });
})();
