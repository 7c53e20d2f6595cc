/**
 * A district given record by record: what a OneRoster CSV package holds when loaded whole,
 * what is written to one, and what the emulator serves. Only roster records, so the CSV
 * reader and writer and the emulator share it without depending on one another.
 */
import type { RosterAcademicSession, RosterClass, RosterDemographics, RosterEnrollment, RosterOrg, RosterUser } from './roster.ts';

/** A district given record by record (e.g. loaded from a OneRoster CSV package). */
export interface DistrictData {
  /** Orgs: the district and its schools (and any other org types). */
  orgs: RosterOrg[];
  /** Every user: students, teachers, administrators, parents/guardians. */
  users: RosterUser[];
  /** Classes, homeroom and scheduled. */
  classes: RosterClass[];
  /** Enrollments of users in classes. */
  enrollments: RosterEnrollment[];
  /** Demographics, one per user that has them. */
  demographics: RosterDemographics[];
  /** Academic sessions (school year, terms). */
  academicSessions: RosterAcademicSession[];
}
