package dev.tokenlog.serde;

import org.apache.avro.Conversion;
import org.apache.avro.data.TimeConversions;
import org.apache.avro.specific.SpecificData;

/** Builds the {@link SpecificData} the serdes read and write generated classes with. */
final class AvroModels {
    private AvroModels() {}

    /**
     * A model that loads classes with {@code type}'s class loader (so app class loaders such as
     * Quarkus' find the generated classes) and converts logical types as the generated code expects:
     * the java.time conversions, then whatever the class's own model registers. The standard
     * conversions matter for union branches such as {@code ["null", timestamp-millis]}, which the
     * generated per-field conversion table leaves to the model.
     */
    static SpecificData forClass(Class<?> type) {
        SpecificData data = new SpecificData(type.getClassLoader());
        data.addLogicalTypeConversion(new TimeConversions.DateConversion());
        data.addLogicalTypeConversion(new TimeConversions.TimeMillisConversion());
        data.addLogicalTypeConversion(new TimeConversions.TimeMicrosConversion());
        data.addLogicalTypeConversion(new TimeConversions.TimestampMillisConversion());
        data.addLogicalTypeConversion(new TimeConversions.TimestampMicrosConversion());
        data.addLogicalTypeConversion(new TimeConversions.LocalTimestampMillisConversion());
        data.addLogicalTypeConversion(new TimeConversions.LocalTimestampMicrosConversion());
        for (Conversion<?> conversion : SpecificData.getForClass(type).getConversions()) {
            data.addLogicalTypeConversion(conversion);
        }
        return data;
    }
}
