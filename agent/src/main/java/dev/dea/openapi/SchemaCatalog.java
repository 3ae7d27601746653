package dev.dea.openapi;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.classmate.ResolvedType;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.github.victools.jsonschema.generator.CustomDefinition;
import com.github.victools.jsonschema.generator.CustomDefinitionProviderV2;
import com.github.victools.jsonschema.generator.FieldScope;
import com.github.victools.jsonschema.generator.Option;
import com.github.victools.jsonschema.generator.OptionPreset;
import com.github.victools.jsonschema.generator.SchemaBuilder;
import com.github.victools.jsonschema.generator.SchemaGenerationContext;
import com.github.victools.jsonschema.generator.SchemaGenerator;
import com.github.victools.jsonschema.generator.SchemaGeneratorConfigBuilder;
import com.github.victools.jsonschema.generator.SchemaVersion;
import com.github.victools.jsonschema.generator.TypeScope;
import com.github.victools.jsonschema.module.jackson.JacksonModule;
import com.github.victools.jsonschema.module.jackson.JacksonOption;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The document's {@code components/schemas}: generated from classes with victools'
 * jsonschema-generator (draft 2020-12, the dialect of OpenAPI 3.1) through Jackson's own
 * annotations, so a renamed or added record component shows up here without a second edit;
 * plus the schemas written by hand. One catalog serves one document.
 */
final class SchemaCatalog {
    private static final String COMPONENTS = "components/schemas";

    private final ObjectMapper mapper;
    private final Map<Class<?>, String> names;
    private final SchemaBuilder builder;
    private final Map<String, ObjectNode> written = new LinkedHashMap<>();

    SchemaCatalog(ObjectMapper mapper, Map<Class<?>, String> names) {
        this.mapper = mapper;
        this.names = Map.copyOf(names);
        SchemaGeneratorConfigBuilder config = new SchemaGeneratorConfigBuilder(mapper, SchemaVersion.DRAFT_2020_12,
                OptionPreset.PLAIN_JSON)
                .with(new JacksonModule(JacksonOption.RESPECT_JSONPROPERTY_ORDER, JacksonOption.FLATTENED_ENUMS_FROM_JSONVALUE))
                .with(Option.DEFINITIONS_FOR_ALL_OBJECTS, Option.PLAIN_DEFINITION_KEYS, Option.MAP_VALUES_AS_ADDITIONAL_PROPERTIES)
                .without(Option.SCHEMA_VERSION_INDICATOR, Option.FLATTENED_OPTIONALS);
        // Optional<X> is X on the wire; its nullability is decided below, not by victools' Optional module.
        config.forFields().withTargetTypeOverridesResolver(field -> isOptional(field)
                ? List.of(field.getTypeParameterFor(Optional.class, 0)) : null);
        // The agent's records check every component but the Optional ones in their constructors:
        // everything else is always on the wire.
        config.forFields().withRequiredCheck(field -> !isOptional(field));
        // Optional components of a NON_ABSENT class are left out when empty, never written as null.
        config.forFields().withNullableCheck(field -> isOptional(field)
                && !omitsAbsent(field.getDeclaringType().getErasedType()));
        // Declaration order is the order Jackson writes a record in (victools would sort by name).
        config.forTypesInGeneral().withPropertySorter((a, b) -> 0);
        config.forTypesInGeneral().withTypeAttributeOverride(SchemaCatalog::inlineUnwrappedOptionals);
        config.forTypesInGeneral().withCustomDefinitionProvider(new InlineMaps());
        config.forTypesInGeneral().withDefinitionNamingStrategy((key, context) -> componentName(key.getType().getErasedType()));
        this.builder = new SchemaGenerator(config.build()).buildMultipleSchemaDefinitions();
    }

    /** A map (e.g. a column's stats) is written in place: a component named "Map" would say nothing. */
    private static final class InlineMaps implements CustomDefinitionProviderV2 {
        @Override
        public CustomDefinition provideCustomSchemaDefinition(ResolvedType type, SchemaGenerationContext context) {
            return type.isInstanceOf(Map.class) ? new CustomDefinition(context.createStandardDefinition(type, this),
                    CustomDefinition.DefinitionType.INLINE, CustomDefinition.AttributeInclusion.YES) : null;
        }
    }

    /** An {@code Optional} record component itself (not the item of a list inside one). */
    private static boolean isOptional(FieldScope field) {
        return !field.isFakeContainerItemScope() && isOptional(field.getRawMember().getType());
    }

    private static boolean isOptional(Class<?> type) {
        return Optional.class.equals(type);
    }

    private static boolean omitsAbsent(Class<?> type) {
        JsonInclude include = type.getAnnotation(JsonInclude.class);
        return include != null && include.value() != JsonInclude.Include.ALWAYS && include.value() != JsonInclude.Include.USE_DEFAULTS;
    }

    /**
     * {@code @JsonUnwrapped Optional<X>} (the Python output of an execution result): X's properties
     * appear at the top level when present. victools skips such a component, so its properties are
     * added here, none of them required.
     */
    private static void inlineUnwrappedOptionals(ObjectNode definition, TypeScope scope, SchemaGenerationContext context) {
        Class<?> type = scope.getType().getErasedType();
        if (!type.isRecord() || !(definition.get("properties") instanceof ObjectNode properties)) {
            return;
        }
        for (RecordComponent component : type.getRecordComponents()) {
            if (component.getAccessor().isAnnotationPresent(JsonUnwrapped.class) && isOptional(component.getType())
                    && component.getGenericType() instanceof ParameterizedType generic) {
                ResolvedType inner = context.getTypeContext().resolve(generic.getActualTypeArguments()[0]);
                if (context.createStandardDefinition(inner, null).get("properties") instanceof ObjectNode unwrapped) {
                    unwrapped.properties().forEach(e -> properties.set(e.getKey(), e.getValue()));
                }
            }
        }
    }

    /** Outer$Inner -> OuterInner, unless the document names the class. */
    private String componentName(Class<?> type) {
        String alias = names.get(type);
        if (alias != null) {
            return alias;
        }
        StringBuilder name = new StringBuilder(type.getSimpleName());
        for (Class<?> outer = type.getEnclosingClass(); outer != null; outer = outer.getEnclosingClass()) {
            name.insert(0, outer.getSimpleName());
        }
        return name.toString();
    }

    /** A schema object for {@code ref}: a {@code $ref} to a component, or the inline schema. */
    ObjectNode schema(SchemaRef ref) {
        return switch (ref) {
            case SchemaRef.Derived d -> builder.createSchemaReference(d.type());
            case SchemaRef.Written w -> {
                ObjectNode schema = parse(w.json(), "schema " + w.name());
                ObjectNode previous = written.putIfAbsent(w.name(), schema);
                if (previous != null && !previous.equals(schema)) {
                    throw new IllegalStateException("Two different schemas are named '" + w.name() + "'");
                }
                yield reference(w.name());
            }
            case SchemaRef.Inline i -> parse(i.json(), "an inline schema");
        };
    }

    ObjectNode reference(String name) {
        return mapper.createObjectNode().put("$ref", "#/" + COMPONENTS + "/" + name);
    }

    void add(String name, ObjectNode schema) {
        if (written.putIfAbsent(name, schema) != null) {
            throw new IllegalStateException("Two schemas are named '" + name + "'");
        }
    }

    /** Every component, once all references were made: generated ones then written ones, sorted by name. */
    ObjectNode components() {
        ObjectNode generated = builder.collectDefinitions(COMPONENTS);
        Map<String, JsonNode> all = new java.util.TreeMap<>();
        generated.properties().forEach(e -> all.put(e.getKey(), e.getValue()));
        written.forEach((name, schema) -> {
            if (all.put(name, schema) != null) {
                throw new IllegalStateException("A written schema and a generated one are both named '" + name + "'");
            }
        });
        ObjectNode out = mapper.createObjectNode();
        all.forEach(out::set);
        return out;
    }

    private ObjectNode parse(String json, String what) {
        try {
            JsonNode node = mapper.readTree(json);
            if (!(node instanceof ObjectNode object)) {
                throw new IllegalStateException(what + " is not a JSON object");
            }
            return object;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(what + " is not valid JSON: " + e.getOriginalMessage(), e);
        }
    }
}
