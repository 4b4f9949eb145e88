package store

import (
	"crypto/hmac"
	"crypto/sha256"
)

// A one-time code for downloading a response pack has only eight digits: a
// plain hash of it is reversed by hashing all hundred million. The case
// keeps its keyed hash instead, under a key derived from the root secret
// (sealing.go), so a copy of the database cannot test a single guess
// without the keyring. The case id is hashed with the code, so a code sent
// for one case is never another's.

// deliveryCodeLabel separates a plain store's delivery-code hashes from
// the requester index's, which share its key.
const deliveryCodeLabel = "delivery-code\x00"

// HashDeliveryCode is the keyed hash kept for a delivery code of a case;
// code is already normalised (cases.NormaliseDeliveryCode).
func HashDeliveryCode(tx ReadTx, caseID, code string) ([]byte, error) {
	input := []byte(caseID + "\x00" + code)
	if _, s := sealerOf(tx); s != nil {
		if s.locked() {
			return nil, ErrKeyringRequired
		}
		return s.deliveryCodes.Sum(input), nil
	}
	key, err := legacyRequesterHasher(tx)
	if err != nil {
		return nil, err
	}
	mac := hmac.New(sha256.New, key.(plainTermHasher))
	mac.Write([]byte(deliveryCodeLabel))
	mac.Write(input)
	return mac.Sum(nil), nil
}
