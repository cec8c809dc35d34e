/**
 * How BACnet values read for people: engineering-unit symbols (°C, L/s, kW) and state texts ("Auto"
 * instead of 4, "Occupied" instead of true). No imports on purpose: the supervisor's dashboard bundle
 * and the Designer's browser code import this module (`@bms/bacnet/display`) without pulling in the
 * BACnet stack. The keys are the library's EngineeringUnits names in the canonical lowerCamel form;
 * display.test.ts checks every key against the library so the table cannot drift from it.
 */

/** Symbols as an HVAC integrator writes them on a graphic. Units missing here read as words. */
export const UNIT_SYMBOLS: Readonly<Record<string, string>> = {
  noUnits: "",
  // Temperature
  degreesCelsius: "°C",
  degreesFahrenheit: "°F",
  degreesKelvin: "K",
  deltaDegreesKelvin: "ΔK",
  deltaDegreesFahrenheit: "Δ°F",
  degreesCelsiusPerHour: "°C/h",
  degreesCelsiusPerMinute: "°C/min",
  degreesFahrenheitPerHour: "°F/h",
  degreesFahrenheitPerMinute: "°F/min",
  degreesKelvinPerHour: "K/h",
  degreesKelvinPerMinute: "K/min",
  degreeDaysCelsius: "°C·d",
  degreeDaysFahrenheit: "°F·d",
  // Ratios
  percent: "%",
  percentRelativeHumidity: "%RH",
  percentPerSecond: "%/s",
  perMille: "‰",
  partsPerMillion: "ppm",
  partsPerBillion: "ppb",
  powerFactor: "PF",
  gramsOfWaterPerKilogramDryAir: "g/kg",
  // Pressure
  pascals: "Pa",
  hectopascals: "hPa",
  kilopascals: "kPa",
  millibars: "mbar",
  bars: "bar",
  poundsForcePerSquareInch: "psi",
  millimetersOfWater: "mmH₂O",
  centimetersOfWater: "cmH₂O",
  inchesOfWater: "inH₂O",
  millimetersOfMercury: "mmHg",
  inchesOfMercury: "inHg",
  // Power and energy
  milliwatts: "mW",
  watts: "W",
  kilowatts: "kW",
  megawatts: "MW",
  btusPerHour: "BTU/h",
  kiloBtusPerHour: "kBTU/h",
  horsepower: "hp",
  tonsRefrigeration: "TR",
  wattHours: "Wh",
  kilowattHours: "kWh",
  megawattHours: "MWh",
  joules: "J",
  kilojoules: "kJ",
  megajoules: "MJ",
  btus: "BTU",
  kiloBtus: "kBTU",
  megaBtus: "MBTU",
  therms: "thm",
  tonHours: "TRh",
  wattsPerSquareMeter: "W/m²",
  wattsPerSquareFoot: "W/ft²",
  kilowattHoursPerSquareMeter: "kWh/m²",
  // Electrical
  volts: "V",
  millivolts: "mV",
  kilovolts: "kV",
  amperes: "A",
  milliamperes: "mA",
  ohms: "Ω",
  kilohms: "kΩ",
  voltAmperes: "VA",
  kilovoltAmperes: "kVA",
  voltAmperesReactive: "var",
  kilovoltAmperesReactive: "kvar",
  kilovoltAmpereHours: "kVAh",
  kilowattHoursReactive: "kvarh",
  hertz: "Hz",
  kilohertz: "kHz",
  // Flow
  litersPerSecond: "L/s",
  litersPerMinute: "L/min",
  litersPerHour: "L/h",
  cubicMetersPerSecond: "m³/s",
  cubicMetersPerMinute: "m³/min",
  cubicMetersPerHour: "m³/h",
  cubicFeetPerMinute: "cfm",
  cubicFeetPerHour: "cfh",
  usGallonsPerMinute: "gpm",
  usGallonsPerHour: "gph",
  imperialGallonsPerMinute: "igpm",
  kilogramsPerSecond: "kg/s",
  kilogramsPerHour: "kg/h",
  // Volume, mass, length, area
  liters: "L",
  milliliters: "mL",
  cubicMeters: "m³",
  cubicFeet: "ft³",
  usGallons: "gal",
  grams: "g",
  kilograms: "kg",
  tons: "t",
  millimeters: "mm",
  centimeters: "cm",
  meters: "m",
  kilometers: "km",
  inches: "in",
  feet: "ft",
  squareMeters: "m²",
  squareFeet: "ft²",
  // Speed
  metersPerSecond: "m/s",
  metersPerMinute: "m/min",
  kilometersPerHour: "km/h",
  feetPerSecond: "ft/s",
  feetPerMinute: "fpm",
  milesPerHour: "mph",
  revolutionsPerMinute: "rpm",
  // Time
  milliseconds: "ms",
  seconds: "s",
  minutes: "min",
  hours: "h",
  days: "d",
  weeks: "wk",
  months: "mo",
  years: "yr",
  perHour: "/h",
  perMinute: "/min",
  perSecond: "/s",
  // Light and sound
  luxes: "lx",
  footCandles: "fc",
  lumens: "lm",
  candelas: "cd",
  decibels: "dB",
  decibelsA: "dB(A)",
  // Air quality
  microgramsPerCubicMeter: "µg/m³",
  milligramsPerCubicMeter: "mg/m³",
  kilogramsPerCubicMeter: "kg/m³",
  degreesAngular: "°",
};

/** The symbols themselves: other protocols' profiles give units as symbols (`kW`), which read as they are. */
const SYMBOLS = new Set(Object.values(UNIT_SYMBOLS));

/** A unit name for people: its symbol, or the name spelled out ("cubicFeetPerDay" -> "cubic feet per day"). */
export function unitSymbol(name: string | null | undefined): string {
  if (!name) return "";
  const symbol = UNIT_SYMBOLS[name];
  if (symbol !== undefined) return symbol;
  if (SYMBOLS.has(name)) return name;
  // An id the device sent that no table names (proprietary units) arrives as its number.
  if (/^\d+$/.test(name)) return `unit ${name}`;
  return name.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase();
}

/**
 * What a BACnet object tells about reading its value: units for analog objects, Active_Text and
 * Inactive_Text for binary ones, State_Text for multi-state ones. All optional: devices may omit them.
 */
export interface ValueLabels {
  units?: string | undefined;
  state_text?: readonly string[] | undefined;
  active_text?: string | undefined;
  inactive_text?: string | undefined;
}

/**
 * The state text of a binary or multi-state value, or undefined when the object has none for it. A
 * multi-state value n is State_Text[n-1] (states count from 1); a binary value is active (true, 1) or
 * inactive (false, 0).
 */
export function stateLabel(value: unknown, labels: ValueLabels | undefined): string | undefined {
  if (!labels) return undefined;
  if (labels.state_text && labels.state_text.length > 0) {
    if (typeof value === "number" && Number.isInteger(value) && value >= 1) {
      return labels.state_text[value - 1];
    }
    return undefined;
  }
  if (labels.active_text !== undefined || labels.inactive_text !== undefined) {
    const active = value === true || value === 1 ? true : value === false || value === 0 ? false : undefined;
    if (active === undefined) return undefined;
    return active ? labels.active_text : labels.inactive_text;
  }
  return undefined;
}

/** A number with the decimals a building value needs: 21.46, 245.3, 1204. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  const digits = Number.isInteger(value) || abs >= 1000 ? 0 : abs >= 100 ? 1 : 2;
  return String(Number(value.toFixed(digits)));
}

/**
 * One value, as a person reads it: "21.46 °C", "45 %", "Auto", "Occupied". A multi-state or binary
 * value without a state text keeps its raw form (4, On/Off for a binary); null reads as "—".
 */
export function formatValue(value: unknown, labels?: ValueLabels): string {
  if (value === null || value === undefined) return "—";
  const label = stateLabel(value, labels);
  if (label !== undefined && label !== "") return label;
  if (typeof value === "boolean") return value ? "On" : "Off";
  if (typeof value === "number") {
    const symbol = unitSymbol(labels?.units);
    const text = formatNumber(value);
    // SI style: a space between number and unit, also for % and °C ("21.5 °C", "45 %").
    return symbol ? `${text} ${symbol}` : text;
  }
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}
