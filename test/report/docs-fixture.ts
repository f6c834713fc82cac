// A data map for the inventory tests: SPEC's example systems plus text that must be escaped (a redact marker
// with markup, a retention basis with quotes, a pipe and an ampersand).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const DOCS_MAP = `version: 1
identities:
  email: { normalize: lowercase-trim }
systems:
  app:       { kind: postgres, url: env:APP_DATABASE_URL }
  billing:   { kind: mysql,    url: env:BILLING_DATABASE_URL }
  mailchimp: { kind: files,    path: ./exports/mailchimp, format: csv }
retention:
  inactive-account: { keep: 3y, after: last_seen_at, then: anonymize }
  tax-records:      { keep: 7y, after: created_at, then: anonymize, basis: "legal-obligation (tax <records> & \\"receipts\\" | 1)" }
tables:
  app.users:
    key: id
    identify: { email: email }
    retention: inactive-account
    on_erase: anonymize
    fields:
      email:     { category: contact.email, mask: hash }
      full_name: { category: identity.name, mask: fake }
      zip:       { category: contact.address.postal, mask: { generalize: { prefix: 3 } } }
  app.addresses:
    key: id
    fields:
      street: { category: contact.address, mask: { redact: { marker: "<script>alert(1)</script>" } } }
  app.orders:
    key: id
    links:
      - { column: user_id, references: app.users.id }
      - { column: shipping_address_id, references: app.addresses.id, owns: true }
    retention: tax-records
    on_erase: anonymize
    fields:
      shipping_name: { category: identity.name, mask: redact }
  billing.invoices:
    key: id
    links:
      - { column: customer_email, references: app.users.email }
    retention: tax-records
    fields:
      stripe_customer: { category: billing.processor-ref, mask: hash }
  mailchimp.members:
    key: email_address
    identify: { email: email_address }
    purposes: [marketing]
    fields:
      email_address: { category: contact.email, mask: hash }
`;

/** A fresh directory holding datamap.yaml. */
export function docsMapDir(): { dir: string; datamap: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'dsar-docs-'));
  const datamap = path.join(dir, 'datamap.yaml');
  writeFileSync(datamap, DOCS_MAP);
  return { dir, datamap };
}
