// What a practitioner may be at an organisation in the directory: a referrer, a receiver or its
// administrator; a membership is one such role at one organisation.
export const DIRECTORY_ROLES = ['referrer', 'receiver', 'admin'] as const;

export type DirectoryRole = (typeof DIRECTORY_ROLES)[number];

export interface Membership {
  /** `Organization/<id>` */
  organization: string;
  role: DirectoryRole;
}
