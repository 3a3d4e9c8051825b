#!/usr/bin/env python3
"""Writes keystore-v1.cks: a format-1 soft keystore as cardd wrote it before
format 2 (scrypt N = 2^15, no header checksum), for the upgrade test.
Passphrase "legacy keystore passphrase"; one key "legacy.aes", aes128,
usage encrypt, version 1, value 000102..0f (KCV C35280)."""
import hashlib, hmac, os, struct, sys
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.keywrap import aes_key_wrap

passphrase = b"legacy keystore passphrase"
salt = bytes(range(0xA0, 0xB0))
log2n, r, p = 15, 8, 1
master = hashlib.scrypt(passphrase, salt=salt, n=1 << log2n, r=r, p=p, maxmem=1 << 27, dklen=64)
wrap_key, mac_key = master[:32], master[32:]
check = hmac.new(mac_key, b"cardd keystore passphrase check", hashlib.sha256).digest()[:16]
value = bytes(range(16))
kcv = Cipher(algorithms.AES(value), modes.ECB()).encryptor().update(b"\x01" * 16)[:3].hex().upper()
name = b"legacy.aes"
wrapped = aes_key_wrap(wrap_key, value)
out = b"CARDDKS1" + bytes([1, log2n]) + struct.pack(">II", r, p) + salt + check
out += struct.pack(">I", 1)
out += struct.pack(">H", len(name)) + name + bytes([2]) + struct.pack(">II", 1, 1)
out += kcv.encode() + struct.pack(">H", len(wrapped)) + wrapped
out += hmac.new(mac_key, out, hashlib.sha256).digest()
open(os.path.join(os.path.dirname(sys.argv[0]) or ".", "keystore-v1.cks"), "wb").write(out)
print("KCV", kcv)
