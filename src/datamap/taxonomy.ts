// The data categories of SPEC, as data: what each one is, the privacy policy's own words for it, why it is used,
// and whether it identifies a person by default. Reports, `datamap docs` and `scan` group by these names.
// Policy quotes are verbatim from the policy's WHAT WE COLLECT (and, where it speaks of them, PAYMENT PROCESSING and
// INFORMATION CHOICES); a test keeps them verbatim.

export interface Category {
  /** Dotted name: `contact.email`. Fields may use deeper names (`contact.address.postal`). */
  name: string;
  title: string;
  /** The policy's wording for this kind of data. */
  policy: string;
  /** Why it is used, in short phrases from USE OF PERSONAL INFORMATION. */
  purposes: string[];
  /** Identifies the subject by itself: masked even when a legal obligation keeps the row. */
  identifying: boolean;
}

/** Purposes a table may declare (`purposes: [marketing]`); opt-outs of `marketing` and `sharing` exclude subjects. */
export const TABLE_PURPOSES: Readonly<Record<string, string>> = {
  service: 'provide, operate, maintain, and improve our products and services and the Site',
  contract: 'performance of our contracts with you or to take steps at your request before entering into a contract',
  account: 'manage your registered account, if applicable, and to respond to your comments and questions and provide customer service',
  notices: 'send you information including, confirmations, invoices, technical notices, updates, security alerts, and support and administrative messages',
  marketing: 'communicate (by email, text message, telephone, or mail) about promotions, upcoming events, and other news',
  analytics: 'analyze trends and traffic, track purchases, and track usage data',
  advertising: 'advertise our products and services and the Site on third-party websites and applications',
  security: 'address technical issues, and protect, investigate, and deter against fraudulent, unauthorized, or illegal activity',
  sharing: 'share personal information with others, including business partners, to offer and provide you certain content and our products and services',
};

// Short phrases for the purposes of USE OF PERSONAL INFORMATION.
const SERVICE = 'provide and improve the Site and services';
const CONTRACT = 'perform our contracts with you';
const ACCOUNT = 'manage your account and customer service';
const NOTICES = 'send confirmations, invoices and notices';
const PROMOTIONS = 'communicate about promotions and news';
const ANALYTICS = 'analyze trends, traffic and usage';
const ADVERTISING = 'advertise on third-party sites';
const SECURITY = 'address technical issues and deter fraud';

const GIVE_US = 'Information You Give Us.';
const USER_CONTENT =
  'user-generated content, which may include text as well as your voice, image, or video, that you provide to us such as when you comment or otherwise contribute to or participate in the products or services offered by Company on the Site';
const CHOSEN = 'any other information you choose to directly give us in communications, during registered account creation, or by using the Site';
const AUTOMATIC = 'We may automatically log information about you and your computer.';

function category(name: string, title: string, policy: string, purposes: string[], identifying = false): Category {
  return { name, title, policy, purposes, identifying };
}

/** The top-level names; a field category must start with one of them. */
export const TOP_LEVEL: readonly Category[] = [
  category('identity', 'Identity', `${GIVE_US} We collect your full name (first and last name), company/business name, name of executive/owner of company/business, company/business logos`, [SERVICE, CONTRACT, ACCOUNT], true),
  category('contact', 'Contact details', 'mailing and physical address and zip code, email address, phone number', [SERVICE, CONTRACT, NOTICES, PROMOTIONS], true),
  category('account', 'Account', 'log-in credentials if you create a registered account requiring log-in', [SERVICE, ACCOUNT, SECURITY]),
  category('billing', 'Billing', 'billing information through third party payment processors only', [CONTRACT, NOTICES, ANALYTICS]),
  category('support', 'Customer service', 'information about your customer service interactions and other communications with us', [ACCOUNT, SERVICE]),
  category('user-content', 'User-generated content', USER_CONTENT, [SERVICE]),
  category('online', 'Automatically collected data', AUTOMATIC, [SERVICE, ANALYTICS, SECURITY]),
  category('usage', 'Usage', 'pages you viewed, how long you spent on a page, access times and information about your use of and actions on our Site', [SERVICE, ANALYTICS, ADVERTISING]),
  category('marketing', 'Marketing choices', 'You have the right to opt out of receiving our promotional communications at any time.', [PROMOTIONS, ADVERTISING]),
  category('third-party', 'Information from others', 'We may get information about you from other sources such as third-party service providers, partner sites, business partners and social media platforms.', [SERVICE, ADVERTISING]),
];

export const CATEGORIES: readonly Category[] = [
  category('identity.name', 'Name', 'We collect your full name (first and last name)', [SERVICE, CONTRACT, ACCOUNT, NOTICES], true),
  category('identity.birthdate', 'Date of birth', CHOSEN, [ACCOUNT, SECURITY], true),
  category('identity.company', 'Company and owner', 'company/business name, name of executive/owner of company/business', [SERVICE, CONTRACT, ACCOUNT], true),
  category('identity.logo', 'Logo', 'company/business logos', [SERVICE], true),
  category('contact.email', 'Email address', 'email address', [ACCOUNT, NOTICES, PROMOTIONS, SECURITY], true),
  category('contact.phone', 'Phone number', 'phone number', [ACCOUNT, NOTICES, PROMOTIONS], true),
  category('contact.address', 'Postal address', 'mailing and physical address and zip code', [CONTRACT, NOTICES, PROMOTIONS], true),
  category('account.credentials', 'Log-in credentials', 'log-in credentials if you create a registered account requiring log-in', [ACCOUNT, SECURITY], true),
  category('account.activity', 'Account activity', 'data about your participation with and in features and components on the Site', [SERVICE, ACCOUNT, ANALYTICS]),
  category('account.settings', 'Account settings', CHOSEN, [SERVICE, ACCOUNT]),
  category('billing.transaction', 'Transactions', 'billing information through third party payment processors only', [CONTRACT, NOTICES, ANALYTICS]),
  category('billing.processor-ref', 'Payment processor references', 'we use third-party service providers such as Stripe for payment processing (e.g. payment processors)', [CONTRACT, NOTICES], true),
  category('billing.card', 'Payment card (must not exist)', 'We will not store or collect your payment card details.', [], true),
  category('support.interactions', 'Support interactions', 'information about your customer service interactions and other communications with us', [ACCOUNT]),
  category('support.notes', 'Support notes', 'information about your customer service interactions and other communications with us', [ACCOUNT]),
  category('user-content.text', 'Text you contribute', USER_CONTENT, [SERVICE]),
  category('user-content.voice', 'Voice recordings', USER_CONTENT, [SERVICE]),
  category('user-content.image', 'Images', USER_CONTENT, [SERVICE]),
  category('user-content.video', 'Videos', USER_CONTENT, [SERVICE]),
  category('online.ip', 'IP address', AUTOMATIC, [SERVICE, SECURITY], true),
  category('online.device', 'Device and browser', 'we may log your computer operating system type, browser type, browser language', [SERVICE, ANALYTICS]),
  category('online.cookie', 'Cookies', 'We may log information using common tracking technology and analytical tools like “cookies.”', [SERVICE, ANALYTICS, ADVERTISING], true),
  category('online.identifier', 'Online identifiers', AUTOMATIC, [SERVICE, ANALYTICS, SECURITY], true),
  category('online.location', 'Approximate location', AUTOMATIC, [SERVICE, ANALYTICS, SECURITY]),
  category('usage.activity', 'Activity on the Site', 'access times and information about your use of and actions on our Site', [SERVICE, ANALYTICS, ADVERTISING]),
  category('usage.pageviews', 'Pages viewed', 'pages you viewed, how long you spent on a page', [ANALYTICS, ADVERTISING]),
  category('marketing.preferences', 'Marketing preferences', 'You have the right to opt out of receiving our promotional communications at any time.', [PROMOTIONS]),
  category('marketing.consent', 'Consent and campaign membership', 'You can request to change contact choices, opt-out of our sharing with others, and update your personal information.', [PROMOTIONS, ADVERTISING]),
  category('third-party.source', 'Partners and social platforms', 'We may get information about you from other sources such as third-party service providers, partner sites, business partners and social media platforms.', [SERVICE, ADVERTISING]),
];

const BY_NAME = new Map<string, Category>([...TOP_LEVEL, ...CATEGORIES].map((c) => [c.name, c]));

/**
 * The category a (possibly deeper) name belongs to: `contact.address.postal` -> `contact.address`,
 * `contact.fax` -> `contact`; undefined when the top-level name is unknown.
 */
export function categoryOf(name: string): Category | undefined {
  const parts = name.split('.');
  for (let n = parts.length; n > 0; n--) {
    const found = BY_NAME.get(parts.slice(0, n).join('.'));
    if (found) return found;
  }
  return undefined;
}

/** A sub-category the data map adds (`categories: { billing.address: { identifying: true } }`). */
export interface DeclaredCategory {
  name: string;
  identifying: boolean;
  title?: string;
}

/**
 * Whether the taxonomy itself covers the name: a category of the table, a top-level name alone, or a deeper name
 * under a second-level category (`contact.address.postal`). `billing.address` is not covered: falling back to
 * `billing` would call a street address non-identifying.
 */
export function inTaxonomy(name: string): boolean {
  if (name.split('.').some((p) => p === '')) return false;
  const found = categoryOf(name);
  return found !== undefined && (found.name === name || found.name.includes('.'));
}

/** The declared category a name is, or lies under. */
export function declaredCategoryOf(name: string, declared: Readonly<Record<string, DeclaredCategory>>): DeclaredCategory | undefined {
  const parts = name.split('.');
  for (let n = parts.length; n > 1; n--) {
    const found = declared[parts.slice(0, n).join('.')];
    if (found) return found;
  }
  return undefined;
}

/** Whether a field of this category identifies the subject unless it says otherwise: the declaration, else the taxonomy. */
export function identifyingByDefault(name: string, declared: Readonly<Record<string, DeclaredCategory>>): boolean {
  return declaredCategoryOf(name, declared)?.identifying ?? categoryOf(name)?.identifying ?? false;
}

/** True when `name` is `rule` or lies under it: a rule naming `contact` applies to `contact.address.postal`. */
export function isUnder(name: string, rule: string): boolean {
  return name === rule || name.startsWith(rule + '.');
}
