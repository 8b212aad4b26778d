// Okabe–Ito colour-blind-safe palette for charts, and the fixed colour of each package state.
import type { PackageState } from '../protocol/report';

export const OKABE_ITO = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#56B4E9', '#CC79A7', '#F0E442', '#000000'] as const;

/** Compliance lines, one per baseline: the Okabe–Ito colours other than vermillion, which the failing-devices line keeps. */
export const BASELINE_COLORS = [OKABE_ITO[0], OKABE_ITO[1], OKABE_ITO[2], OKABE_ITO[4], OKABE_ITO[5], OKABE_ITO[6]] as const;

/** One colour per state, stable across charts: installed = bluish green, failed = vermillion, pending = orange. */
export const STATE_COLORS: Record<PackageState, string> = {
  Installed: '#009E73',
  Permanent: '#0072B2',
  Superseded: '#56B4E9',
  'Install Pending': '#E69F00',
  'Uninstall Pending': '#CC79A7',
  'Partially Installed': '#F0E442',
  Staged: '#999999',
  Staging: '#BBBBBB',
  Resolved: '#777777',
  Resolving: '#AAAAAA',
  Absent: '#555555',
  Failed: '#D55E00',
};
