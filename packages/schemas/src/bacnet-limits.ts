/**
 * BACnet's instance limits, in a module of their own (no Zod) so the dashboard's browser bundle can use
 * them without pulling in the schemas. 4194303 is the wildcard instance (Who-Is "any"), so it is not a
 * valid device.
 */
export const BACNET_MAX_DEVICE_INSTANCE = 4_194_302;
export const BACNET_MAX_OBJECT_INSTANCE = 4_194_303;
