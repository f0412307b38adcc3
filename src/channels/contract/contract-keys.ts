import { assertNever, isMamoruError, MamoruError } from '../../core/index.ts';
import { foldText } from '../../intel/fold-text.ts';
import type { KeyedHasher } from '../../intel/keyed-hash.ts';
import { normaliseJapaneseAddress } from '../../intel/normalise-address.ts';
import { normaliseIdentity } from '../../intel/normalise-identity.ts';
import type { ContractKeys } from './contract-context.ts';
import type { ContractApplication, Identity, SalesChannel } from './contract-schema.ts';

/**
 * The keys of an application, plus the person's own identity key: the
 * holder's for a person, the representative's (代表者・担当者) for a
 * corporation, whose holder key is its corporate number's.
 */
export interface ContractKeySet extends ContractKeys {
  /**
   * The identity with its document serial (`name|birthdate|address|document`),
   * so deny-list and intel entries written with the serial match too.
   */
  readonly identityWithDocument?: string | undefined;
  /** Identity key (`name|birthdate|address`) of each registered user given with an address, for deny lists. */
  readonly registeredUserIdentities: readonly (string | undefined)[];
}

/**
 * Kinds of key besides a person's identity. A tagged key hashes
 * `<tag>||||<value>`: four or more `|`, where a normalised identity
 * (`name|birthdate|address|document`, no `|` inside a field) has exactly
 * three, so no tagged key can equal an identity key or another tag's key.
 */
const KEY_TAGS = ['address', 'corporation', 'device', 'document', 'ip', 'user'] as const;
type KeyTag = (typeof KEY_TAGS)[number];

function taggedKey(hasher: KeyedHasher, tag: KeyTag, value: string): string {
  return hasher.hash('identity', `${tag}||||${value}`);
}

/**
 * Normalise an address for its own key (resale rings share an address): the
 * normal form of a Japanese address however it is written
 * (`normaliseJapaneseAddress`: 丁目・番・号・の and dashes, kanji and
 * full-width numerals, a missing prefecture, 大字/字, ヶ/ケ/が; the building
 * and room left out, so a ring using rooms of one building is one address).
 *
 * @example normaliseAddress('新宿区西新宿二丁目８番１号 ○○ビル101') // '東京都新宿区西新宿2-8-1'
 */
export function normaliseAddress(address: string): string {
  return normaliseJapaneseAddress(address);
}

/**
 * The key of a registered user (利用者登録, P6): HMAC of the name and birth
 * date, normalised as in an identity key. The address is left out: a user is
 * registered on lines under other holders' addresses (a company's, a
 * parent's), and the carrier may not record it.
 *
 * @throws MamoruError `validation_failed` naming the field that cannot be keyed.
 */
export function userKey(
  user: { readonly name: string; readonly birthDate: string },
  hasher: KeyedHasher,
  path = 'registeredUser',
): string {
  let normalised: string;
  try {
    normalised = normaliseIdentity({ name: user.name, birthdate: user.birthDate });
  } catch (error) {
    throw keyingError(error, path);
  }
  return taggedKey(hasher, 'user', normalised);
}

/** The key of a client IP address (already normalised at the edge). */
export function ipKey(ip: string, hasher: KeyedHasher): string {
  return taggedKey(hasher, 'ip', ip);
}

/** Document / IC serials lose spaces and hyphens, as in an identity key. */
function normaliseSerial(serial: string): string {
  return foldText(serial).replace(/[\s-]/g, '');
}

/**
 * The keyed hash (HMAC) of a person's verified identity — name, date of
 * birth and address (基本3情報) — the same value as an `identity` indicator
 * `name|birthdate|address`, so deny-listed identities in intel match holder
 * keys. The document / IC serial is not part of it: one person shows
 * different documents (a licence at one shop, a My Number card at another,
 * a renewed card next year), and the carrier's line records rarely hold a
 * serial, so a key with it would split one holder's lines and reset the cap
 * (P2). The serial has its own key (`documentKey`). Fields are NFKC-folded,
 * case-folded and white space collapsed (`normaliseIdentity`).
 *
 * @param path where the identity sits in the input, to name the field at fault
 * @throws MamoruError `validation_failed` naming the field (a `|` inside a field, a date before 1850).
 * @example identityKey({ name: '山田　太郎', birthDate: '1980-01-02', address: '東京都' }, hasher) // '…64 hex…'
 */
export function identityKey(identity: Identity, hasher: KeyedHasher, path = 'identity'): string {
  try {
    return hasher.hash(
      'identity',
      normaliseIdentity({
        name: identity.name,
        birthdate: identity.birthDate,
        address: identity.address,
      }),
    );
  } catch (error) {
    throw keyingError(error, path);
  }
}

/** An identity normaliser's error as a 400 naming the input field at fault. */
function keyingError(error: unknown, path: string): unknown {
  if (!isMamoruError(error)) return error;
  const issue = error.issues[0];
  const field = FIELD_OF_ATTRIBUTE[issue?.path.replace(/^value\./, '') ?? ''] ?? '';
  const at = field ? `${path}.${field}` : path;
  const message = (issue?.message ?? error.message).replace(/^identity:\s*/, '');
  return new MamoruError('validation_failed', `${at}: ${message}`, { issues: [{ path: at, message }] });
}

/**
 * The keyed hash of `name|birthdate|address|document`, for identity entries
 * written with the serial; undefined when the serial cannot be part of an
 * identity (a `|` in it): its own document key still covers it.
 */
function identityWithDocumentKey(identity: Identity, hasher: KeyedHasher): string | undefined {
  try {
    return hasher.hash(
      'identity',
      normaliseIdentity({
        name: identity.name,
        birthdate: identity.birthDate,
        address: identity.address,
        document: identity.documentSerial,
      }),
    );
  } catch {
    return undefined;
  }
}

const FIELD_OF_ATTRIBUTE: Readonly<Record<string, keyof Identity>> = {
  name: 'name',
  birthdate: 'birthDate',
  address: 'address',
  document: 'documentSerial',
};

/** The key of a normalised address alone. */
export function addressKey(address: string, hasher: KeyedHasher): string {
  return taggedKey(hasher, 'address', normaliseAddress(address));
}

/** The holder key of a corporation: its corporate number (法人番号, 13 digits). */
export function corporationKey(corporateNumber: string, hasher: KeyedHasher): string {
  return taggedKey(hasher, 'corporation', corporateNumber.trim());
}

/** The key of a device fingerprint (opaque: only trimmed). */
export function deviceKey(fingerprint: string, hasher: KeyedHasher): string {
  return taggedKey(hasher, 'device', fingerprint.trim());
}

/** The key of a document / IC serial. */
export function documentKey(serial: string, hasher: KeyedHasher): string {
  return taggedKey(hasher, 'document', normaliseSerial(serial));
}

/**
 * Every key of an application (measures P2, P6): the holder (a person's
 * identity, or a corporation's corporate number, so that a corporation's
 * lines count together whoever applied for it), the address, the device,
 * the document serial and each requested line's registered user (利用者登録).
 * The raw attributes are read here and nowhere after.
 *
 * @throws MamoruError `validation_failed` naming the identity field that cannot be keyed.
 */
export function contractKeys(app: ContractApplication, hasher: KeyedHasher): ContractKeySet {
  const { identity } = app.holder;
  const person = identityKey(identity, hasher, 'holder.identity');
  const corporation = app.holder.corporation;
  const device = app.deviceFingerprint ?? app.session?.deviceId;
  return {
    holder: corporation ? corporationKey(corporation.corporateNumber, hasher) : person,
    identity: person,
    address: addressKey(identity.address, hasher),
    device: device === undefined ? undefined : deviceKey(device, hasher),
    ip: app.session?.ipAddress === undefined ? undefined : ipKey(app.session.ipAddress, hasher),
    document:
      identity.documentSerial === undefined ? undefined : documentKey(identity.documentSerial, hasher),
    identityWithDocument:
      identity.documentSerial === undefined ? undefined : identityWithDocumentKey(identity, hasher),
    registeredUsers: app.lines.map((line, i) =>
      line.registeredUser ? userKey(line.registeredUser, hasher, `lines.${i}.registeredUser`) : undefined,
    ),
    registeredUserIdentities: app.lines.map((line, i) => {
      const user = line.registeredUser;
      return user?.address === undefined
        ? undefined
        : identityKey({ ...user, address: user.address }, hasher, `lines.${i}.registeredUser`);
    }),
  };
}

/** The application as the decision log keeps it: identities, the device fingerprint and the IP replaced by keys. */
export type RedactedContract = Omit<
  ContractApplication,
  'holder' | 'lines' | 'deviceFingerprint' | 'session'
> & {
  readonly holder: Omit<ContractApplication['holder'], 'identity'> & {
    readonly holderKey: string;
    readonly identityKey: string;
    readonly addressKey: string;
    readonly documentKey?: string;
  };
  readonly lines: readonly (Omit<ContractApplication['lines'][number], 'registeredUser'> & {
    readonly registeredUserKey?: string;
  })[];
  readonly deviceKey?: string;
  readonly session?: {
    readonly ipKey?: string;
    readonly formSeconds?: number;
    readonly attempts?: number;
  };
};

/**
 * The application with every identity object (holder, registered users) and
 * the device fingerprint replaced by their keys: what the decision log stores
 * (the channel's `redact` hook). Nothing raw survives: no name, birth date,
 * address, serial or fingerprint.
 *
 * @example redactContract(app, contractKeys(app, hasher)).holder // { type: 'person', holderKey: '…', identityKey: '…', addressKey: '…' }
 */
export function redactContract(app: ContractApplication, keys: ContractKeySet): RedactedContract {
  const { holder, lines, deviceFingerprint: _fingerprint, session, ...rest } = app;
  const { identity: _identity, ...holderRest } = holder;
  return {
    ...rest,
    holder: {
      ...holderRest,
      holderKey: keys.holder,
      identityKey: keys.identity,
      addressKey: keys.address,
      ...(keys.document ? { documentKey: keys.document } : {}),
    },
    lines: lines.map(({ registeredUser: _user, ...line }, i) => {
      const key = keys.registeredUsers[i];
      return key ? { ...line, registeredUserKey: key } : line;
    }),
    ...(keys.device ? { deviceKey: keys.device } : {}),
    ...(session
      ? {
          session: {
            ...(keys.ip ? { ipKey: keys.ip } : {}),
            ...(session.formSeconds === undefined ? {} : { formSeconds: session.formSeconds }),
            ...(session.attempts === undefined ? {} : { attempts: session.attempts }),
          },
        }
      : {}),
  };
}

/**
 * The outlet an outlet-bound key is bound to (P2: a shop or agency screens
 * and sees its own): `shop:<shopId>`, `agency:<agencyId>` or `online` — typed,
 * so that a shop and an agency with the same id stay apart.
 *
 * @example boundOutletOf({ type: 'agency', agencyId: 'agency-urawa' }) // 'agency:agency-urawa'
 */
export function boundOutletOf(channel: {
  readonly type: SalesChannel;
  readonly shopId?: string | undefined;
  readonly agencyId?: string | undefined;
}): string {
  if (channel.type === 'online') return 'online';
  const id = channel.type === 'shop' ? channel.shopId : channel.agencyId;
  return `${channel.type}:${id ?? 'unknown'}`;
}

/**
 * Where an application was made, for velocity evidence: the shop or agency
 * id, or `online`. A shop that gave no id is `shop:unknown`.
 */
export function outletOf(channel: {
  readonly type: SalesChannel;
  readonly shopId?: string | undefined;
  readonly agencyId?: string | undefined;
}): string {
  switch (channel.type) {
    case 'online':
      return 'online';
    case 'agency':
      return channel.agencyId ?? 'agency:unknown';
    case 'shop':
      return channel.shopId ?? 'shop:unknown';
    default:
      return assertNever(channel.type, 'sales channel');
  }
}
