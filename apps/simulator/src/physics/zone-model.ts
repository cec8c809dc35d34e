/** Air: density 1.2 kg/m³, specific heat 1005 J/(kg·K). */
const AIR_DENSITY = 1.2;
const AIR_CP = 1005;

export interface ZoneParams {
  areaM2: number;
  heightM?: number;
  /** Envelope conductance per floor area, W/(m²·K). */
  envelopeUa?: number;
  /** Furniture and structure couple to the air: effective mass as a multiple of the air's own. */
  massFactor?: number;
  /** Internal gains at full occupancy, W/m² (people, plug loads, lights). */
  occupiedGainW?: number;
  /** Gains that never switch off, W/m² (servers, standby). */
  baseGainW?: number;
}

export interface ZoneInputs {
  outdoorTempC: number;
  occupancy: number;
  /** Supply air into the zone after any reheat, °C. */
  dischargeTempC: number;
  airflowLps: number;
}

/**
 * A lumped-capacitance zone: C·dT/dt = UA·(Tout−T) + gains + ṁ·cp·(Tsupply−T). With the defaults a
 * 60 m² zone at 400 l/s has an air-side time constant near 45 minutes, the first-order-plus-lag
 * behaviour real zones show, so a PID tuned here is tuned plausibly.
 */
export class ZoneThermal {
  temperatureC: number;
  private readonly capacitance: number;
  private readonly ua: number;
  private readonly occupiedGain: number;
  private readonly baseGain: number;

  constructor(params: ZoneParams, initialC: number) {
    const volume = params.areaM2 * (params.heightM ?? 3);
    this.capacitance = volume * AIR_DENSITY * AIR_CP * (params.massFactor ?? 5);
    this.ua = params.areaM2 * (params.envelopeUa ?? 2.5);
    this.occupiedGain = params.areaM2 * (params.occupiedGainW ?? 35);
    this.baseGain = params.areaM2 * (params.baseGainW ?? 4);
    this.temperatureC = initialC;
  }

  /** Net heat into the zone in watts at the current temperature. */
  heatFlowW(inputs: ZoneInputs): number {
    const t = this.temperatureC;
    const massFlow = (inputs.airflowLps / 1000) * AIR_DENSITY;
    return (
      this.ua * (inputs.outdoorTempC - t) +
      this.baseGain +
      this.occupiedGain * inputs.occupancy +
      massFlow * AIR_CP * (inputs.dischargeTempC - t)
    );
  }

  /** Integrates over dtS with sub-steps short enough for explicit Euler to stay stable. */
  step(inputs: ZoneInputs, dtS: number): number {
    let remaining = dtS;
    while (remaining > 0) {
      const h = Math.min(remaining, 10);
      this.temperatureC += (this.heatFlowW(inputs) * h) / this.capacitance;
      remaining -= h;
    }
    return this.temperatureC;
  }

  /** The temperature the zone settles at for constant inputs (for tests and sanity checks). */
  steadyStateC(inputs: ZoneInputs): number {
    const massFlowCp = (inputs.airflowLps / 1000) * AIR_DENSITY * AIR_CP;
    const gains = this.baseGain + this.occupiedGain * inputs.occupancy;
    return (
      (this.ua * inputs.outdoorTempC + gains + massFlowCp * inputs.dischargeTempC) / (this.ua + massFlowCp)
    );
  }
}
