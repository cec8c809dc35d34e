import { allUnitNames, unitsId } from "@bms/bacnet";
import { CalendarDateListSchema, DeviceScheduleSchema } from "@bms/schemas";
import { z } from "zod";
import { SHUTOFF_HEAD } from "../physics/hydronics";

const POINT_TYPES = [
  "analogInput",
  "analogOutput",
  "analogValue",
  "binaryInput",
  "binaryOutput",
  "binaryValue",
  "multiStateInput",
  "multiStateOutput",
  "multiStateValue",
] as const;

export const PointTypeSchema = z.enum(POINT_TYPES);
export type PointType = z.infer<typeof PointTypeSchema>;

const instance = z.number().int().min(0).max(4194302);
const name = z.string().min(1).max(64);

const UnitsSchema = z.string().refine((u) => unitsId(u) !== undefined, {
  message: `unknown engineering unit; use a BACnet camelCase name such as degreesCelsius, percent, kilowatts (${allUnitNames().length} known)`,
});

/** A point's stand-alone behaviour, for points no equipment model drives. */
export const SignalSchema = z.discriminatedUnion("kind", [
  z
    .object({
      kind: z.literal("sine"),
      mean: z.number(),
      amplitude: z.number().nonnegative(),
      /** Period in simulated seconds. */
      periodS: z.number().positive(),
      noise: z.number().nonnegative().default(0),
      phaseS: z.number().default(0),
    })
    .strict(),
  z
    .object({
      kind: z.literal("randomWalk"),
      min: z.number(),
      max: z.number(),
      /** Largest step per simulated second. */
      stepPerS: z.number().positive(),
    })
    .strict()
    .refine((s) => s.max > s.min, { message: "max must be greater than min", path: ["max"] }),
  z
    .object({
      kind: z.literal("follow"),
      /** The commanding object on the same device, e.g. "binaryOutput:1". */
      source: z.string().regex(/^[a-zA-Z]+:\d+$/, "expected <objectType>:<instance>"),
      /** How long the status lags the command, in simulated seconds. */
      delayS: z.number().nonnegative().default(5),
    })
    .strict(),
]);
export type Signal = z.infer<typeof SignalSchema>;

const value = z.union([z.number(), z.boolean()]);

export const ObjectSpecSchema = z
  .object({
    type: PointTypeSchema,
    instance,
    name,
    description: z.string().max(255).optional(),
    units: UnitsSchema.optional(),
    commandable: z.boolean().optional(),
    relinquishDefault: value.optional(),
    initial: value.optional(),
    covIncrement: z.number().nonnegative().optional(),
    min: z.number().optional(),
    max: z.number().optional(),
    stateText: z.array(z.string().min(1)).min(2).max(32).optional(),
    activeText: z.string().optional(),
    inactiveText: z.string().optional(),
    signal: SignalSchema.optional(),
    /** Intrinsic reporting (OUT_OF_RANGE) on an analog object: events go to its notification class. */
    alarm: z
      .object({
        highLimit: z.number(),
        lowLimit: z.number(),
        deadband: z.number().nonnegative().default(0),
        timeDelayS: z.number().int().min(0).max(3600).default(0),
        notificationClass: z.number().int().min(0).max(4194302),
        /** Event_Enable: to-offnormal, to-fault, to-normal. */
        eventEnable: z.tuple([z.boolean(), z.boolean(), z.boolean()]).default([true, true, true]),
      })
      .strict()
      .refine((a) => a.lowLimit < a.highLimit, "lowLimit must be below highLimit")
      .optional(),
  })
  .strict();
export type ObjectSpec = z.infer<typeof ObjectSpecSchema>;

const base = { name, instanceBase: z.number().int().min(0).max(4194000).optional() };

/** Name prefix of a plant's machines and pumps: "CH" gives CH-1, CH-2, ... */
const prefix = z
  .string()
  .min(1)
  .max(24)
  .regex(/^\S(.*\S)?$/, "no leading or trailing spaces");

/** The pumps of a water plant: lead/lag on VFDs, each sized for the design flow. */
function pumps(defaultPrefix: string, defaultKw: number) {
  return {
    pumps: z.number().int().min(1).max(4).default(2),
    pumpPrefix: prefix.default(defaultPrefix),
    /** Motor input at full speed, kW. */
    pumpKw: z.number().positive().default(defaultKw),
  };
}

/** Loop DP at the design point (one pump at full speed, full load) and the controller's DP setpoint. */
function loopPressure(designKpa: number, setpointKpa: number) {
  return {
    designDpKpa: z.number().min(10).max(500).default(designKpa),
    dpSetpointKpa: z.number().min(0).max(750).default(setpointKpa),
  };
}

/** A DP setpoint above the pumps' shut-off head could never be met. */
const dpSetpointReachable = (p: { designDpKpa: number; dpSetpointKpa: number }) =>
  p.dpSetpointKpa <= p.designDpKpa * SHUTOFF_HEAD;
const dpSetpointIssue = {
  message: `dpSetpointKpa must not exceed ${SHUTOFF_HEAD} x designDpKpa (the pumps' shut-off head)`,
  path: ["dpSetpointKpa"],
};

/** Equipment models generate their objects; instanceBase offsets their instances on the device. */
export const EquipmentSchema = z.discriminatedUnion("model", [
  z
    .object({
      model: z.literal("ahu"),
      ...base,
      supplyAirSetpointC: z.number().min(8).max(25).default(13),
      ductStaticSetpointPa: z.number().min(50).max(1000).default(250),
      minOutdoorAirPct: z.number().min(0).max(100).default(20),
    })
    .strict(),
  z
    .object({
      model: z.literal("vav"),
      ...base,
      /** Name of the AHU (on any device of the site) that supplies this box. */
      ahu: z.string().optional(),
      zoneAreaM2: z.number().positive().default(60),
      maxAirflowLps: z.number().positive().default(400),
      minAirflowLps: z.number().nonnegative().default(80),
      occupiedSetpointC: z.number().min(15).max(30).default(22),
      unoccupiedSetpointC: z.number().min(10).max(35).default(26),
      initialTempC: z.number().min(5).max(40).optional(),
    })
    .strict(),
  z
    .object({
      model: z.literal("plant"),
      ...base,
      chilledWaterSetpointC: z.number().min(4).max(15).default(7),
      hotWaterSetpointC: z.number().min(35).max(90).default(60),
    })
    .strict(),
  z
    .object({
      model: z.literal("chwPlant"),
      ...base,
      chillers: z.number().int().min(1).max(4).default(2),
      chillerCapacityKw: z.number().positive().default(350),
      chillerPrefix: prefix.default("CH"),
      ...pumps("CHWP", 7.5),
      /** Peak cooling load of the loop; the load follows occupancy and outdoor temperature. */
      designLoadKw: z.number().positive().default(600),
      supplySetpointC: z.number().min(4).max(15).default(6.7),
      ...loopPressure(100, 60),
    })
    .strict()
    .refine(dpSetpointReachable, dpSetpointIssue),
  z
    .object({
      model: z.literal("hwPlant"),
      ...base,
      boilers: z.number().int().min(1).max(4).default(2),
      boilerCapacityKw: z.number().positive().default(250),
      boilerPrefix: prefix.default("B"),
      ...pumps("HWP", 3),
      /** Peak heating load of the loop; the load follows outdoor temperature. */
      designLoadKw: z.number().positive().default(400),
      supplySetpointC: z.number().min(35).max(90).default(60),
      ...loopPressure(80, 50),
    })
    .strict()
    .refine(dpSetpointReachable, dpSetpointIssue),
  z
    .object({
      model: z.literal("zoneOccupancy"),
      ...base,
      zones: z
        .array(z.object({ name, description: z.string().max(255).optional() }).strict())
        .min(1)
        .max(64),
      /** Occupied hours on weekdays, local simulated time; default: the site's occupancy hours. */
      startHour: z.number().min(0).max(24).optional(),
      endHour: z.number().min(0).max(24).optional(),
      /** Zones arrive up to this many minutes after the start and leave up to this many before the end. */
      staggerMin: z.number().min(0).max(120).default(30),
    })
    .strict(),
  z
    .object({
      model: z.literal("meter"),
      ...base,
      baseLoadKw: z.number().nonnegative().default(15),
    })
    .strict(),
  z
    .object({
      model: z.literal("lighting"),
      ...base,
      zones: z.number().int().min(1).max(64).default(4),
      kwPerZone: z.number().nonnegative().default(1.2),
    })
    .strict(),
]);
export type Equipment = z.infer<typeof EquipmentSchema>;

/**
 * A Modbus TCP unit served by the simulator's Modbus face (`--modbus-port`): a register-map profile
 * (`packages/schemas/modbus-profiles`) whose registers are bound by name to this device's objects, so
 * Modbus and BACnet read the same physics.
 */
export const ModbusUnitSpecSchema = z
  .object({
    unit: z.number().int().min(1).max(247),
    profile: z.string().min(1).max(64),
    /** Profile register name -> object of this device (`analogInput:1`). */
    bind: z.record(
      z.string(),
      z.string().regex(/^[A-Za-z]+:\d+$/, "must name an object of this device, e.g. analogInput:1"),
    ),
  })
  .strict();
export type ModbusUnitSpec = z.infer<typeof ModbusUnitSpecSchema>;

export const DeviceSpecSchema = z
  .object({
    instance,
    name,
    description: z.string().max(255).optional(),
    location: z.string().max(255).optional(),
    modelName: z.string().max(64).optional(),
    /**
     * Puts the device behind the site's BACnet/IP-to-MS/TP router on this network number: it is then
     * reached only through the router (DNET/DADR), with MS/TP limits (480-octet APDU, no segmentation).
     */
    network: z.number().int().min(1).max(65534).optional(),
    objects: z.array(ObjectSpecSchema).default([]),
    equipment: z.array(EquipmentSchema).default([]),
    modbus: z.array(ModbusUnitSpecSchema).max(16).optional(),
    /** The DCC/ReinitializeDevice password (BACnet allows 20 characters) and a clock skew to start with. */
    commissioning: z
      .object({
        password: z.string().min(1).max(20).optional(),
        clockOffsetS: z
          .number()
          .min(-86_400 * 366)
          .max(86_400 * 366)
          .optional(),
      })
      .strict()
      .optional(),
    /** Schedule objects (clause 12.24); Present_Value follows them on the device's clock. */
    schedules: z
      .array(
        z
          .object({
            instance,
            name,
            description: z.string().max(255).optional(),
            schedule: DeviceScheduleSchema,
          })
          .strict(),
      )
      .max(32)
      .default([]),
    /** Notification Class objects (clause 12.21): where the device's alarms go, and who must ack. */
    notificationClasses: z
      .array(
        z
          .object({
            instance,
            name,
            /** Priority of to-offnormal, to-fault, to-normal notifications (0 is highest). */
            priority: z
              .tuple([z.number().int(), z.number().int(), z.number().int()])
              .default([100, 100, 200]),
            ackRequired: z.tuple([z.boolean(), z.boolean(), z.boolean()]).default([true, true, false]),
          })
          .strict(),
      )
      .max(32)
      .default([]),
    /** Trend Log objects (clause 12.25): each polls one of this device's points into a ring buffer. */
    trendLogs: z
      .array(
        z
          .object({
            instance,
            name,
            description: z.string().max(255).optional(),
            /** The logged point, `<objectType>:<instance>` of this device; its Present_Value is logged. */
            object: z.string().regex(/^[a-zA-Z]+:\d+$/, "use <objectType>:<instance>"),
            intervalS: z.number().min(1).max(86_400).default(60),
            bufferSize: z.number().int().min(1).max(100_000).default(1000),
          })
          .strict(),
      )
      .max(64)
      .default([]),
    /** Calendar objects (clause 12.9); Present_Value is true on the days their Date_List names. */
    calendars: z
      .array(
        z
          .object({
            instance,
            name,
            description: z.string().max(255).optional(),
            dateList: CalendarDateListSchema,
          })
          .strict(),
      )
      .max(32)
      .default([]),
  })
  .strict();
export type DeviceSpec = z.infer<typeof DeviceSpecSchema>;

export const SiteSchema = z
  .object({
    name,
    description: z.string().optional(),
    /** Outdoor air: a daily curve around the mean, coldest at 03:00 and warmest at 15:00. */
    weather: z
      .object({
        outdoorMeanC: z.number().min(-40).max(50).default(18),
        outdoorSwingC: z.number().min(0).max(25).default(6),
      })
      .strict()
      .default({ outdoorMeanC: 18, outdoorSwingC: 6 }),
    /** Occupied hours of the internal-gain profile, local simulated time. */
    occupancy: z
      .object({
        startHour: z.number().min(0).max(24).default(7),
        endHour: z.number().min(0).max(24).default(19),
      })
      .strict()
      .default({ startHour: 7, endHour: 19 }),
    devices: z.array(DeviceSpecSchema).min(1),
  })
  .strict()
  .superRefine((site, ctx) => {
    const seen = new Map<number, number>();
    const units = new Map<number, string>();
    site.devices.forEach((device, i) => {
      device.modbus?.forEach((m, j) => {
        const prior = units.get(m.unit);
        if (prior !== undefined) {
          ctx.addIssue({
            code: "custom",
            path: ["devices", i, "modbus", j, "unit"],
            message: `Modbus unit ${m.unit} is already served by ${prior}`,
          });
        } else units.set(m.unit, `devices[${i}].modbus[${j}]`);
      });
      const first = seen.get(device.instance);
      if (first !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["devices", i, "instance"],
          message: `device instance ${device.instance} is already used by devices[${first}]`,
        });
      } else seen.set(device.instance, i);
      const objects = new Map<string, number>();
      device.objects.forEach((o, j) => {
        const key = `${o.type}:${o.instance}`;
        const prior = objects.get(key);
        if (prior !== undefined) {
          ctx.addIssue({
            code: "custom",
            path: ["devices", i, "objects", j, "instance"],
            message: `${key} is already defined at devices[${i}].objects[${prior}]`,
          });
        } else objects.set(key, j);
        if (o.units && !o.type.startsWith("analog")) {
          ctx.addIssue({
            code: "custom",
            path: ["devices", i, "objects", j, "units"],
            message: "units apply to analog objects only",
          });
        }
        if (o.alarm && !o.type.startsWith("analog")) {
          ctx.addIssue({
            code: "custom",
            path: ["devices", i, "objects", j, "alarm"],
            message: "out-of-range alarms apply to analog objects only",
          });
        }
        if (o.stateText && !o.type.startsWith("multiState")) {
          ctx.addIssue({
            code: "custom",
            path: ["devices", i, "objects", j, "stateText"],
            message: "stateText applies to multi-state objects only",
          });
        }
      });
    });
  });
export type SiteSpec = z.infer<typeof SiteSchema>;

export interface SiteIssue {
  path: string;
  message: string;
}

/** JSON-path style ("devices[0].objects[2].units") so a user finds the line in the file. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || "(root)";
}

export type SiteParse = { ok: true; site: SiteSpec } | { ok: false; issues: SiteIssue[] };

export function parseSite(input: unknown): SiteParse {
  const result = SiteSchema.safeParse(input);
  if (result.success) return { ok: true, site: result.data };
  return {
    ok: false,
    issues: result.error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message })),
  };
}
