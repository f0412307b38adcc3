import type { HolderType, SalesChannel, SimType } from './contract-schema.ts';

/** Line counts by SIM type. */
export type SimCounts = Readonly<Record<SimType, number>>;

/**
 * The keyed hashes of an application: what the contract store and the
 * detectors use instead of the identity attributes, which never leave the
 * edge raw.
 */
export interface ContractKeys {
  /** The holder: a person's identity key, or a corporation's corporate-number key. */
  readonly holder: string;
  /** HMAC of the screened person's verified identity (name, birth date, address): the holder, or a corporation's representative. */
  readonly identity: string;
  /** HMAC of the normalised address alone (resale rings share an address). */
  readonly address: string;
  /** HMAC of the device fingerprint, when given. */
  readonly device?: string | undefined;
  /** HMAC of the document / IC serial, when given. */
  readonly document?: string | undefined;
  /** HMAC of the online session's IP address, when given. */
  readonly ip?: string | undefined;
  /** User key (HMAC of name and birth date, `userKey`) of each requested line's registered user, by line index (absent: none registered). */
  readonly registeredUsers: readonly (string | undefined)[];
}

/** Who holds the existing line an added-line application names (P3), as the carrier's lines say. */
export const NAMED_LINE_STATES = ['held', 'other_holder', 'cancelled', 'unknown'] as const;
export type NamedLineState = (typeof NAMED_LINE_STATES)[number];

/** A registered user (利用者登録) of this application also registered under other holders (P6). */
export interface SharedUser {
  /** The line index in the application. */
  readonly line: number;
  readonly userKey: string;
  /** Distinct other holders with this user on a line held or applied for within the window. */
  readonly otherHolders: number;
}

/** Another application seen within the velocity window, for evidence. */
export interface RecentApplication {
  readonly applicationId: string;
  readonly holderKey: string;
  readonly salesChannel: SalesChannel;
  /** Shop or agency id; `online` for online sign-up. */
  readonly outlet: string;
  readonly lines: number;
  /** SMS-capable lines (voice and data+SMS) of `lines`. */
  readonly smsLines: number;
  readonly submittedAt: string;
  readonly action: string;
}

/** An exception approved by HQ on a case for this application: the lines it allows. */
export interface ApprovedException {
  readonly caseId: string;
  readonly approvedBy: string;
  readonly approvedAt: string;
  /** Lines allowed by SIM type, as requested when the exception was approved. */
  readonly lines: SimCounts;
  /** Lines the holder held when the approved application was screened: the exception covers held + approved. */
  readonly held: SimCounts;
}

/**
 * Everything the contract detectors may read besides the application, loaded
 * once per screening by the contract store (the detectors do no I/O).
 */
export interface ContractContext {
  readonly keys: ContractKeys;
  readonly holderType: HolderType;
  /** Active lines the holder has now, by SIM type (from the carrier's line import). */
  readonly existingLines: SimCounts;
  /** Applications by this holder within the velocity window, this one excluded. */
  readonly holderApplications: readonly RecentApplication[];
  /** Lines of this holder cancelled within the velocity window (cancel-and-reapply). */
  readonly recentlyCancelled: number;
  /** Distinct other holders who applied from this address within the shared-address window. */
  readonly addressHolders: readonly RecentApplication[];
  /** Distinct other holders who applied from this device within the shared-device window. */
  readonly deviceHolders: readonly RecentApplication[];
  /** Distinct other holders who signed up from this IP address within the shared-IP window. */
  readonly ipHolders: readonly RecentApplication[];
  /** For an added line naming an existing line: who holds it (undefined when no line is named). */
  readonly namedLine?: NamedLineState | undefined;
  /** Registered users of this application that are registered under other holders too. */
  readonly sharedUsers: readonly SharedUser[];
  /** An approved exception for this application id, if HQ approved one. */
  readonly exception?: ApprovedException | undefined;
}
