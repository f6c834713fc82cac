// Column names that say what a column holds, in several languages: `email`, `e_mail`, `tel`, `nachname`,
// `Straße`, `電話`, `date_of_birth`, `plz`. Names are folded first (camelCase split, lower case, ß -> ss, Latin
// accents dropped) so `StraßeNr`, `straße` and `strasse` read alike. A suffix such as `_id`, `_verified` or
// `_count` turns a personal word into something else (`email_verified` is a flag), unless the rule names it.
import type { TypeFamily } from '../../../connectors/connector.ts';
import type { Detection } from '../detector.ts';

interface NameRule {
  category: string;
  confidence: number;
  /** Token sequences matched on token boundaries: `first_name` matches `customer_first_name`. */
  tokens?: string[];
  /** Substrings of the name without separators: compounds (`telefonnummer`) and scripts without word breaks. */
  within?: string[];
}

// Order breaks ties: specific rules (email address, IP address) come before the generic `address`.
const RULES: NameRule[] = [
  { category: 'billing.card', confidence: 0.8, tokens: ['card_number', 'cardnumber', 'card_no', 'card_num', 'cc_number', 'ccnumber', 'cc_num', 'ccnum', 'credit_card', 'creditcard', 'pan', 'card_pan', 'cvv', 'cvc', 'card_cvv'], within: ['kreditkarte', 'kartennummer', 'numerodecarte', 'numerocarte', 'tarjetadecredito', 'クレジットカード', '信用卡', '카드번호'] },
  { category: 'account.credentials', confidence: 0.8, tokens: ['password', 'passwd', 'pwd', 'password_hash', 'passwort', 'kennwort', 'mot_de_passe', 'contrasena', 'senha', 'wachtwoord', 'api_key', 'access_token', 'refresh_token', 'otp_secret', 'totp_secret'], within: ['password', 'passwort', 'パスワード', '密码', '비밀번호'] },
  { category: 'account.credentials', confidence: 0.6, tokens: ['username', 'user_name', 'login', 'login_name'] },
  { category: 'identity.national-id', confidence: 0.85, tokens: ['ssn', 'social_security', 'social_security_number', 'national_id', 'nationalid', 'national_insurance', 'nino', 'tax_id', 'taxid', 'passport', 'passport_number', 'passport_no', 'id_card', 'driver_license', 'drivers_license', 'driving_licence', 'personalausweis', 'steuer_id', 'steuerid', 'nir', 'dni', 'nif', 'cpf', 'curp', 'codice_fiscale', 'bsn', 'pesel', 'aadhaar'], within: ['steueridentifikationsnummer', 'sozialversicherungsnummer', 'ausweisnummer', '身份证', 'マイナンバー', '주민등록번호'] },
  { category: 'contact.email', confidence: 0.85, tokens: ['email', 'e_mail', 'emailaddress', 'email_address', 'mail_address', 'mailadresse', 'courriel', 'correo', 'correo_electronico', 'epost', 'e_post'], within: ['emailadresse', 'メール', '邮箱', '电子邮件', '電子郵件', '이메일', 'почта'] },
  { category: 'contact.email', confidence: 0.5, tokens: ['mail'] },
  { category: 'contact.phone', confidence: 0.85, tokens: ['phone', 'telephone', 'telefon', 'telefono', 'telefone', 'phone_number', 'phonenumber', 'mobile', 'mobile_number', 'mobil', 'handy', 'cell', 'cellphone', 'cell_phone', 'msisdn', 'fax', 'portable', 'celular', 'movil'], within: ['telefonnummer', 'rufnummer', 'handynummer', 'mobilnummer', 'phonenumber', '電話', '电话', '携帯', '手机', '전화', 'телефон'] },
  { category: 'contact.phone', confidence: 0.55, tokens: ['tel', 'tel_no', 'tel_nr'] },
  { category: 'identity.birthdate', confidence: 0.85, tokens: ['dob', 'date_of_birth', 'birth_date', 'birthdate', 'birthday', 'born', 'born_on', 'geburtsdatum', 'geburtstag', 'date_naissance', 'date_de_naissance', 'fecha_nacimiento', 'fecha_de_nacimiento', 'data_nascita', 'data_di_nascita', 'data_nascimento', 'geboortedatum'], within: ['geburtsdatum', 'birthdate', 'dateofbirth', '生年月日', '出生日期', '생년월일'] },
  { category: 'identity.birthdate', confidence: 0.7, within: ['birth', 'geburt', 'naissance', 'nacimiento'] },
  { category: 'identity.name', confidence: 0.8, tokens: ['first_name', 'firstname', 'given_name', 'givenname', 'last_name', 'lastname', 'surname', 'family_name', 'familyname', 'full_name', 'fullname', 'middle_name', 'maiden_name', 'display_name', 'contact_name', 'customer_name', 'shipping_name', 'billing_name', 'recipient_name', 'holder_name', 'cardholder', 'person_name', 'vorname', 'nachname', 'familienname', 'prenom', 'nom_de_famille', 'apellido', 'apellidos', 'cognome', 'achternaam', 'voornaam', 'sobrenome', 'imya', 'familiya'], within: ['vorname', 'nachname', 'familienname', '氏名', '名前', '姓名', '名字', '이름', 'фамилия', 'имя'] },
  { category: 'online.identifier', confidence: 0.75, tokens: ['mac_address', 'device_id', 'advertising_id', 'idfa', 'gaid', 'adid', 'imei', 'visitor_id', 'anonymous_id', 'fingerprint', 'tracking_id'] },
  { category: 'online.ip', confidence: 0.8, tokens: ['ip', 'ip_address', 'ipaddress', 'ip_addr', 'ipaddr', 'ipv4', 'ipv6', 'remote_addr', 'remote_ip', 'client_ip', 'x_forwarded_for', 'source_ip', 'ip_adresse'] },
  { category: 'contact.address.postal', confidence: 0.75, tokens: ['zip', 'zipcode', 'zip_code', 'postal', 'postal_code', 'postcode', 'post_code', 'postleitzahl', 'plz', 'code_postal', 'codigo_postal', 'cep'], within: ['postleitzahl', '郵便番号', '邮编', '우편번호'] },
  { category: 'contact.address', confidence: 0.75, tokens: ['address', 'addr', 'street', 'street_address', 'address_line', 'address1', 'address2', 'line1', 'line2', 'address_line_1', 'address_line_2', 'strasse', 'hausnummer', 'house_number', 'adresse', 'anschrift', 'direccion', 'indirizzo', 'endereco', 'rue'], within: ['strasse', 'anschrift', '住所', '地址', '주소', 'адрес'] },
  { category: 'contact.address.city', confidence: 0.55, tokens: ['city', 'town', 'ort', 'wohnort', 'stadt', 'ville', 'ciudad', 'citta', 'cidade'] },
  { category: 'online.cookie', confidence: 0.7, tokens: ['cookie', 'cookies', 'session_id', 'sessionid', 'session_token'] },
  { category: 'online.location', confidence: 0.6, tokens: ['latitude', 'longitude', 'lat', 'lng', 'lon', 'geo', 'geolocation', 'coordinates'] },
  { category: 'online.device', confidence: 0.55, tokens: ['user_agent', 'useragent', 'browser', 'os_version', 'device_model'] },
  { category: 'identity.gender', confidence: 0.6, tokens: ['gender', 'sex', 'geschlecht', 'sexe', 'genero'] },
  { category: 'billing.bank-account', confidence: 0.75, tokens: ['iban', 'bank_account', 'bank_account_number', 'kontonummer', 'routing_number', 'sort_code'] },
  { category: 'identity.company', confidence: 0.5, tokens: ['company_name', 'business_name', 'employer', 'firmenname', 'raison_sociale'] },
  { category: 'marketing.consent', confidence: 0.5, tokens: ['consent', 'opt_in', 'optin', 'opt_out', 'optout', 'newsletter', 'unsubscribed'] },
];

/** The rules with their token sequences split once. */
const COMPILED = RULES.map((rule) => ({ rule, sequences: (rule.tokens ?? []).map((text) => ({ text, parts: text.split('_') })) }));

/** A bare `name` is a person's name in a table of people, a product's name elsewhere. */
const PEOPLE = /^(users?|customers?|clients?|contacts?|persons?|people|members?|employees?|staff|patients?|subscribers?|accounts?|leads?|applicants?|students?|kunden?|mitarbeiter|personen|profiles?|recipients?)$/;
const BARE_NAMES = new Set(['name', 'nom', 'nombre', 'navn', 'naam']);

/** Trailing words that make a personal word into a flag, a count, a reference or a setting. */
const STOP_SUFFIX = new Set(['id', 'ids', 'uuid', 'guid', 'count', 'cnt', 'verified', 'confirmed', 'enabled', 'disabled', 'sent', 'status', 'type', 'format', 'flag', 'at', 'length', 'len', 'valid', 'validated', 'template', 'provider', 'domain', 'version', 'mode', 'bounced', 'bounces', 'changed', 'updated', 'created', 'source', 'in', 'out', 'enc', 'policy', 'prefix', 'country', 'code_type']);
const STOP_PREFIX = new Set(['is', 'has', 'can', 'should', 'allow', 'use', 'needs']);

/** Folds a name to lower-case snake_case tokens: `StraßeNr` -> `strasse_nr`, `E-Mail` -> `e_mail`. */
export function foldName(name: string): string {
  return name
    .normalize('NFKC')
    .replace(/([\p{Ll}\d])(\p{Lu})/gu, '$1_$2')
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '') // Latin accents only: CJK and kana keep their marks
    .normalize('NFC')
    .replace(/[^\p{L}\p{N}]+/gu, '_')
    .replace(/^_+|_+$/g, '');
}

interface Hit {
  rule: NameRule;
  order: number;
  term: string;
}

/** The category a column's name suggests, with a confidence; undefined when it says nothing personal. */
export function detectColumnName(column: string, family: TypeFamily, table = ''): Detection | undefined {
  if (family === 'boolean' || family === 'binary') return undefined;
  const folded = foldName(column);
  if (!folded) return undefined;
  const tokens = folded.split('_');
  const compact = tokens.join('');
  const hits: Hit[] = [];
  COMPILED.forEach(({ rule, sequences }, order) => {
    for (const { text, parts } of sequences) {
      for (let at = 0; at + parts.length <= tokens.length; at++) {
        if (!parts.every((p, i) => tokens[at + i] === p)) continue;
        const end = at + parts.length;
        // A suffix or prefix outside the matched words changes the meaning.
        if (end < tokens.length && STOP_SUFFIX.has(tokens[tokens.length - 1])) continue;
        if (at > 0 && STOP_PREFIX.has(tokens[0])) continue;
        hits.push({ rule, order, term: text });
      }
    }
    for (const sub of rule.within ?? []) {
      if (compact.includes(sub) && !STOP_SUFFIX.has(tokens[tokens.length - 1]) && !STOP_PREFIX.has(tokens[0])) hits.push({ rule, order, term: sub });
    }
  });
  if (tokens.length === 1 && BARE_NAMES.has(tokens[0])) {
    const people = PEOPLE.test(foldName(table.split('.').pop() ?? ''));
    hits.push({ rule: { category: 'identity.name', confidence: people ? 0.7 : 0.4 }, order: RULES.length, term: tokens[0] });
  }
  if (!hits.length) return undefined;
  hits.sort((a, b) => b.rule.confidence - a.rule.confidence || a.order - b.order);
  const best = hits[0];
  return {
    detector: 'column-name',
    category: best.rule.category,
    confidence: best.rule.confidence,
    matched: 0,
    sampled: 0,
    evidence: `the column name reads as ${best.rule.category} ("${best.term}")`,
  };
}
