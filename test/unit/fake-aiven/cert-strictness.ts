// Strict checks of X.509 name encodings, as Go's crypto/x509 applies them: a
// PrintableString may hold only A-Z a-z 0-9 space ' ( ) + , - . / : = ?
// (X.680 §41.4), so a user name with `_` must be a UTF8String. Node and Java
// parse such certificates anyway, which is why this needs its own check.
import forge from 'node-forge';

const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;

export interface NameString {
  /** "subject" or "issuer". */
  where: string;
  oid: string;
  /** ASN.1 universal tag of the value (12 UTF8String, 19 PrintableString, ...). */
  tag: number;
  value: string;
}

/** Every AttributeTypeAndValue of the certificate's issuer and subject, with its string tag. */
export function nameStrings(pem: string): NameString[] {
  const der = forge.pem.decode(pem)[0]!.body;
  const cert = forge.asn1.fromDer(der);
  const tbs = (cert.value as forge.asn1.Asn1[])[0]!;
  const fields = tbs.value as forge.asn1.Asn1[];
  // TBSCertificate: [0] version (explicit, optional), serial, signature, issuer, validity, subject, ...
  const offset = fields[0]!.tagClass === forge.asn1.Class.CONTEXT_SPECIFIC ? 1 : 0;
  const out: NameString[] = [];
  for (const [where, index] of [['issuer', offset + 2], ['subject', offset + 4]] as const) {
    for (const rdn of fields[index]!.value as forge.asn1.Asn1[]) {
      for (const atv of rdn.value as forge.asn1.Asn1[]) {
        const [oid, value] = atv.value as forge.asn1.Asn1[];
        out.push({
          where,
          oid: forge.asn1.derToOid(oid!.value as string),
          tag: value!.type,
          value: forge.util.decodeUtf8(value!.value as string),
        });
      }
    }
  }
  return out;
}

/** What Go's x509 parser would refuse in the names: PrintableStrings outside their alphabet. */
export function goRefusals(pem: string): string[] {
  return nameStrings(pem)
    .filter((n) => n.tag === forge.asn1.Type.PRINTABLESTRING && !PRINTABLE.test(n.value))
    .map((n) => `${n.where} ${n.oid}: invalid PrintableString ${JSON.stringify(n.value)}`);
}

export const COMMON_NAME_OID = '2.5.4.3';
export const UTF8STRING_TAG = forge.asn1.Type.UTF8;
