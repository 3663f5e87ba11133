package io.dibex.xml;

/**
 * The XML layouts dibex reads and writes (SPEC §4); a plan's nodes all use the same one.
 * {@code docs/wire-format.md} is the normative grammar of each.
 */
public enum XmlDialect {

    /**
     * The layout of seed 003: {@code Сообщение / ЗаголовокСообщения (ПланОбмена, Получатель,
     * Отправитель, НомерСообщения, ПолученноеСообщение) / ТелоСообщения}, with dibex's own,
     * self-describing body: every value says its type, so it needs no metadata.
     */
    SEED,

    /**
     * The layout of 1C:Enterprise 8 exchange plans: {@code Message / Header / Body} in the
     * namespace {@code http://v8.1c.ru/messages}, objects as 1C writes them, bare values typed by
     * the plan's metadata.
     */
    V8MSG
}
