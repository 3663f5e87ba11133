package io.dibex.xml;

/** The namespaces and fixed names shared by the dialects; {@code docs/wire-format.md} is their grammar. */
final class Wire {

    /** 1C's message envelope: {@code Message}, {@code Header} and its children, {@code Body}. */
    static final String V8MSG = "http://v8.1c.ru/messages";
    /** The namespace of the objects of the current 1C configuration. */
    static final String CONFIG = "http://v8.1c.ru/8.1/data/enterprise/current-config";
    /** 1C's data namespace: the {@code Data} wrapper. */
    static final String V8DE = "http://v8.1c.ru/8.1/data/enterprise";
    /** 1C's core data types ({@code v8:UUID}). */
    static final String V8CORE = "http://v8.1c.ru/8.1/data/core";
    /** The upload files of 1C's XML data tool ({@code _1CV8DtUD}). */
    static final String UPLOAD = "http://www.1c.ru/V8/1CV8DtUD/";
    /** XML Schema: the primitive types of {@code xsi:type}. */
    static final String XS = "http://www.w3.org/2001/XMLSchema";
    /** XML Schema instance: {@code xsi:type}, {@code xsi:nil}. */
    static final String XSI = "http://www.w3.org/2001/XMLSchema-instance";
    /** dibex's additions, which other readers can ignore. */
    static final String DX = "urn:dibex:exchange";
    /**
     * The version of dibex's additions, written as {@code dx:format} on the root: 2 since items
     * carry {@code dx:repair} (SPEC §5), which a version 1 reader of v8msg would have ignored.
     */
    static final String FORMAT = "2";

    /** The XML declaration every message starts with. */
    static final String DECLARATION = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>";

    private Wire() {
    }
}
