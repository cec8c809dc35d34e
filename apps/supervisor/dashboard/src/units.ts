/**
 * Display symbols for BACnet engineering unit names (`degreesCelsius` -> °C). packages/bacnet has a
 * shorter table but pulls in the BACnet stack, which has no place in a browser bundle.
 */
const SYMBOLS: Record<string, string> = {
  degreesCelsius: "°C",
  degreesFahrenheit: "°F",
  degreesKelvin: "K",
  deltaDegreesKelvin: "ΔK",
  percent: "%",
  percentRelativeHumidity: "%RH",
  percentOpen: "% open",
  pascals: "Pa",
  kilopascals: "kPa",
  bars: "bar",
  poundsForcePerSquareInch: "psi",
  inchesOfWater: "inH₂O",
  watts: "W",
  kilowatts: "kW",
  megawatts: "MW",
  wattHours: "Wh",
  kilowattHours: "kWh",
  megawattHours: "MWh",
  voltAmperes: "VA",
  kilovoltAmperes: "kVA",
  volts: "V",
  millivolts: "mV",
  amperes: "A",
  milliamperes: "mA",
  hertz: "Hz",
  litersPerSecond: "l/s",
  litersPerMinute: "l/min",
  litersPerHour: "l/h",
  cubicMetersPerHour: "m³/h",
  cubicMetersPerSecond: "m³/s",
  cubicFeetPerMinute: "cfm",
  metersPerSecond: "m/s",
  feetPerMinute: "fpm",
  partsPerMillion: "ppm",
  luxes: "lx",
  seconds: "s",
  minutes: "min",
  hours: "h",
  revolutionsPerMinute: "rpm",
  cubicMeters: "m³",
  liters: "l",
  noUnits: "",
};

export function unitSymbol(name: string | undefined): string {
  if (!name) return "";
  return SYMBOLS[name] ?? name.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
}
