import avro from 'avsc';

/** timestamp-millis <-> Date. Without it avsc would hand out raw epoch numbers. */
class TimestampMillisType extends avro.types.LogicalType {
  override _fromValue(value: unknown): Date {
    return new Date(value as number);
  }

  override _toValue(value: unknown): number | undefined {
    if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.getTime();
    return undefined;
  }

  override _resolve(type: avro.Type): ((value: unknown) => Date) | undefined {
    if (avro.Type.isType(type, 'long', 'logical:timestamp-millis')) return (value) => this._fromValue(value);
    return undefined;
  }
}

export const logicalTypes = { 'timestamp-millis': TimestampMillisType } as const;

export function parseAvro(schema: unknown): avro.Type {
  return avro.Type.forSchema(schema as avro.Schema, { logicalTypes, wrapUnions: false });
}
