// Device identity, installed updates and WUA history from the inventory script's JSON document.
import * as z from 'zod';
import type { HotfixRecord, UpdateHistoryRecord } from '../../protocol/report';
import type { SystemAdapter } from '../windows/adapter';
import { INVENTORY_SCRIPT } from './inventory-script';
import { toHotfixRecords } from './parsers/hotfixes';
import { toUpdateHistoryRecords } from './parsers/update-history';

const text = z.string().nullable().optional();
const number = z.number().nullable().optional();

/** Exactly what the script prints; anything else is an error with the field named. */
export const inventoryDocumentSchema = z.object({
  schema: z.literal(1),
  identity: z.object({
    machineGuid: text,
    hostname: text,
    productName: text,
    editionId: text,
    displayVersion: text,
    currentBuild: text,
    ubr: number,
    architecture: text,
    servicingStack: text,
    timeZone: text,
    utcOffsetMinutes: number,
    culture: text,
  }),
  hotfixes: z.array(z.object({ hotFixId: z.string(), description: text, installedBy: text, installedOn: text })),
  history: z.array(
    z.object({ operation: z.number(), resultCode: z.number(), hresult: z.number().nullable(), date: text, title: z.string() }),
  ),
  problems: z.array(z.string()),
});
export type InventoryDocument = z.infer<typeof inventoryDocumentSchema>;

export interface DeviceFacts {
  machineGuid: string | null;
  hostname: string | null;
  productName?: string;
  edition?: string;
  displayVersion?: string;
  osBuild?: string;
  servicingStack?: string;
  architecture?: string;
  timeZone?: string;
  utcOffsetMinutes: number | null;
}

export interface Inventory {
  device: DeviceFacts;
  hotfixes: HotfixRecord[];
  updateHistory: UpdateHistoryRecord[];
  /** Parts the script could not read (WUA service disabled, WMI broken); reported in the agent log. */
  problems: string[];
}

function present(value: string | null | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

/** Parses the script's stdout (one JSON document) into typed inventory, or throws a message naming the problem. */
export function parseInventoryOutput(stdout: string): Inventory {
  let json: unknown;
  try {
    json = JSON.parse(stdout.replace(/^\uFEFF/, '').trim());
  } catch {
    throw new Error(`inventory script printed something that is not JSON: ${JSON.stringify(stdout.slice(0, 120))}`);
  }
  const parsed = inventoryDocumentSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`inventory document is invalid at ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'unknown'}`);
  }
  const { identity, hotfixes, history, problems } = parsed.data;
  const culture = present(identity.culture) ?? null;
  const build = present(identity.currentBuild);
  const stack = present(identity.servicingStack);
  return {
    device: {
      machineGuid: present(identity.machineGuid) ?? null,
      hostname: present(identity.hostname) ?? null,
      productName: present(identity.productName),
      edition: present(identity.editionId),
      displayVersion: present(identity.displayVersion),
      osBuild: build && /^\d+$/.test(build) && typeof identity.ubr === 'number' ? `${build}.${identity.ubr}` : undefined,
      servicingStack: stack && /^\d+(\.\d+){1,3}$/.test(stack) ? stack : undefined,
      architecture: present(identity.architecture),
      timeZone: present(identity.timeZone),
      utcOffsetMinutes: typeof identity.utcOffsetMinutes === 'number' ? identity.utcOffsetMinutes : null,
    },
    // Raw WMI InstalledOn is never localized (M/D/YYYY), whatever the display culture.
    hotfixes: toHotfixRecords(hotfixes, null),
    updateHistory: toUpdateHistoryRecords(history, culture),
    problems,
  };
}

/** Runs the inventory script through the adapter. Off Windows there is nothing to read and it returns null. */
export async function collectInventory(adapter: SystemAdapter): Promise<Inventory | null> {
  if (adapter.platform !== 'win32') return null;
  const result = await adapter.powershell(INVENTORY_SCRIPT);
  if (result.code !== 0) {
    throw new Error(`inventory script failed (exit ${result.code}): ${result.stderr.trim().split(/\r?\n/)[0] ?? ''}`);
  }
  return parseInventoryOutput(result.stdout);
}
