package dev.dea.upload.xlsx;

import dev.dea.upload.source.MalformedFile;

import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static javax.xml.stream.XMLStreamConstants.CDATA;
import static javax.xml.stream.XMLStreamConstants.CHARACTERS;
import static javax.xml.stream.XMLStreamConstants.END_DOCUMENT;
import static javax.xml.stream.XMLStreamConstants.END_ELEMENT;
import static javax.xml.stream.XMLStreamConstants.ENTITY_REFERENCE;
import static javax.xml.stream.XMLStreamConstants.SPACE;
import static javax.xml.stream.XMLStreamConstants.START_ELEMENT;

/** The parts of an xlsx workbook around its sheets: the sheet list, shared strings, date styles. */
final class Workbook {
    /** Built-in number formats that show dates or times (ECMA-376 18.8.30, and the CJK ones). */
    private static final Set<Integer> BUILT_IN_DATE_FORMATS = Set.of(14, 15, 16, 17, 18, 19, 20, 21, 22,
            27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46, 47, 50, 51, 52, 53, 54, 55, 56, 57, 58);
    private static final XMLInputFactory XML = XMLInputFactory.newFactory();
    /**
     * A zip entry may inflate a thousandfold: a small upload must not become an hour of parsing.
     * No honest part of a workbook within UPLOAD_MAX_BYTES comes near these.
     */
    static final long MAX_PART_BYTES = 1L << 30;
    /** Shared strings are held in memory (cells point into them by index). */
    static final long MAX_SHARED_STRING_CHARS = 32L << 20;
    /** One cell's text, read in chunks: 32 times Excel's own limit (32,767), and a megabyte-sized compressed cell is not a gigabyte string. */
    static final long MAX_CELL_CHARS = 1L << 20;
    /** Sheets, relationships, number formats and cell styles a workbook may declare (Excel allows 64,000 styles). */
    static final int MAX_ENTRIES = 65_536;

    static {
        // A workbook is the caller's file: no DTDs, no external entities.
        XML.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        XML.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
    }

    private record Sheet(String name, String relationId) {
    }

    private final List<Sheet> sheets;
    private final Map<String, String> targets;
    private final boolean date1904;

    private Workbook(List<Sheet> sheets, Map<String, String> targets, boolean date1904) {
        this.sheets = sheets;
        this.targets = targets;
        this.date1904 = date1904;
    }

    boolean date1904() {
        return date1904;
    }

    static XMLStreamReader xml(InputStream in) throws XMLStreamException {
        return XML.createXMLStreamReader(in);
    }

    static InputStream open(ZipFile zip, String name) throws IOException {
        return open(zip, name, MAX_PART_BYTES);
    }

    static InputStream open(ZipFile zip, String name, long maxBytes) throws IOException {
        ZipEntry entry = zip.getEntry(name);
        if (entry == null) {
            throw new MalformedFile(1, 0, "the workbook has no part " + name);
        }
        return new Bounded(zip.getInputStream(entry), name, maxBytes);
    }

    /** An entry's inflated bytes, at most {@link #MAX_PART_BYTES}. */
    private static final class Bounded extends java.io.FilterInputStream {
        private final String name;
        private final long max;
        private long left;

        Bounded(InputStream in, String name, long max) {
            super(in);
            this.name = name;
            this.max = max;
            this.left = max;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                left -= n;
                if (left < 0) {
                    throw new MalformedFile(1, 0, "the workbook part " + name + " inflates to more than "
                            + max + " bytes");
                }
            }
            return n;
        }
    }

    static Workbook read(ZipFile zip) throws IOException {
        List<Sheet> sheets = new ArrayList<>();
        boolean date1904 = false;
        try (InputStream in = open(zip, "xl/workbook.xml")) {
            XMLStreamReader xml = xml(in);
            while (xml.hasNext()) {
                if (xml.next() == START_ELEMENT) {
                    switch (xml.getLocalName()) {
                        case "sheet" -> {
                            requireRoom(sheets.size(), "sheets");
                            sheets.add(new Sheet(xml.getAttributeValue(null, "name"), relationId(xml)));
                        }
                        case "workbookPr" -> {
                            String v = xml.getAttributeValue(null, "date1904");
                            date1904 = "1".equals(v) || "true".equals(v);
                        }
                        default -> {
                        }
                    }
                }
            }
        } catch (XMLStreamException e) {
            throw new MalformedFile(1, 0, "xl/workbook.xml is malformed");
        }
        Map<String, String> targets = new HashMap<>();
        if (zip.getEntry("xl/_rels/workbook.xml.rels") != null) {
            try (InputStream in = open(zip, "xl/_rels/workbook.xml.rels")) {
                XMLStreamReader xml = xml(in);
                while (xml.hasNext()) {
                    if (xml.next() == START_ELEMENT && xml.getLocalName().equals("Relationship")) {
                        requireRoom(targets.size(), "relationships");
                        targets.put(xml.getAttributeValue(null, "Id"), xml.getAttributeValue(null, "Target"));
                    }
                }
            } catch (XMLStreamException e) {
                throw new MalformedFile(1, 0, "xl/_rels/workbook.xml.rels is malformed");
            }
        }
        if (sheets.isEmpty()) {
            throw new MalformedFile(1, 0, "the workbook has no sheet");
        }
        return new Workbook(sheets, targets, date1904);
    }

    private static String relationId(XMLStreamReader xml) {
        for (int i = 0; i < xml.getAttributeCount(); i++) {
            if (xml.getAttributeLocalName(i).equals("id")) {
                return xml.getAttributeValue(i);
            }
        }
        return null;
    }

    /** The zip entry of the sheet named or numbered (1-based) by {@code wanted}, else of the first. */
    String sheetPath(Optional<String> wanted) {
        int index = 0;
        if (wanted.isPresent()) {
            String w = wanted.get();
            index = -1;
            for (int i = 0; i < sheets.size(); i++) {
                if (w.equals(sheets.get(i).name())) {
                    index = i;
                }
            }
            if (index < 0 && w.matches("\\d{1,6}") && Integer.parseInt(w) >= 1 && Integer.parseInt(w) <= sheets.size()) {
                index = Integer.parseInt(w) - 1;
            }
            if (index < 0) {
                throw new dev.dea.error.AgentException(dev.dea.error.ErrorType.VALIDATION_ERROR,
                        "The workbook has no sheet '" + (w.length() > 64 ? w.substring(0, 64) + "..." : w)
                                + "'; its sheets: " + String.join(", ", sheets.stream().map(Sheet::name).toList()),
                        Map.of("sheets", sheets.stream().map(Sheet::name).toList()), null);
            }
        }
        Sheet sheet = sheets.get(index);
        String target = sheet.relationId() == null ? null : targets.get(sheet.relationId());
        if (target == null) {
            return "xl/worksheets/sheet" + (index + 1) + ".xml";
        }
        return target.startsWith("/") ? target.substring(1) : "xl/" + target;
    }

    /** Every shared string in order; rich text runs joined, phonetic hints left out. */
    static List<String> sharedStrings(ZipFile zip) throws IOException {
        List<String> strings = new ArrayList<>();
        if (zip.getEntry("xl/sharedStrings.xml") == null) {
            return strings;
        }
        // Bounded in bytes too: one huge string would fill the heap before the character count is checked.
        try (InputStream in = open(zip, "xl/sharedStrings.xml", 4 * MAX_SHARED_STRING_CHARS)) {
            XMLStreamReader xml = xml(in);
            StringBuilder current = null;
            int phonetic = 0;
            long chars = 0;
            while (xml.hasNext()) {
                int event = xml.next();
                if (event == START_ELEMENT) {
                    switch (xml.getLocalName()) {
                        case "si" -> current = new StringBuilder();
                        case "rPh" -> phonetic++;
                        case "t" -> {
                            String text = text(xml, MAX_SHARED_STRING_CHARS, 1, 0);
                            if (current != null && phonetic == 0) {
                                current.append(text);
                            }
                        }
                        default -> {
                        }
                    }
                } else if (event == END_ELEMENT) {
                    if (xml.getLocalName().equals("si") && current != null) {
                        chars += current.length();
                        if (chars > MAX_SHARED_STRING_CHARS) {
                            throw new MalformedFile(1, 0, "the workbook's shared strings hold more than "
                                    + MAX_SHARED_STRING_CHARS + " characters");
                        }
                        strings.add(current.toString());
                        current = null;
                    } else if (xml.getLocalName().equals("rPh")) {
                        phonetic--;
                    }
                }
            }
        } catch (XMLStreamException e) {
            throw new MalformedFile(1, 0, "xl/sharedStrings.xml is malformed");
        }
        return strings;
    }

    /**
     * The text of the element just started, up to its end, read in the parser's chunks; longer
     * than {@code maxChars}: MalformedFile at {@code row}, {@code column}. What
     * {@code getElementText} does, without first holding all of a huge text.
     */
    static String text(XMLStreamReader xml, long maxChars, long row, int column) throws XMLStreamException {
        StringBuilder text = new StringBuilder();
        while (true) {
            switch (xml.next()) {
                case CHARACTERS, CDATA, SPACE, ENTITY_REFERENCE -> {
                    if (text.length() + (long) xml.getTextLength() > maxChars) {
                        throw new MalformedFile(row, column, "the text is longer than " + maxChars + " characters");
                    }
                    text.append(xml.getTextCharacters(), xml.getTextStart(), xml.getTextLength());
                }
                case END_ELEMENT -> {
                    return text.toString();
                }
                case START_ELEMENT -> throw new XMLStreamException("an element inside text", xml.getLocation());
                case END_DOCUMENT -> throw new XMLStreamException("the document ends inside text", xml.getLocation());
                default -> {
                    // comments and processing instructions are not text
                }
            }
        }
    }

    private static void requireRoom(int count, String what) {
        if (count >= MAX_ENTRIES) {
            throw new MalformedFile(1, 0, "the workbook declares more than " + MAX_ENTRIES + " " + what);
        }
    }

    /** Indexes of the cell styles ({@code s}) whose number format shows a date or a time. */
    static Set<Integer> dateStyles(ZipFile zip) throws IOException {
        Set<Integer> styles = new HashSet<>();
        if (zip.getEntry("xl/styles.xml") == null) {
            return styles;
        }
        Set<Integer> dateFormats = new HashSet<>(BUILT_IN_DATE_FORMATS);
        try (InputStream in = open(zip, "xl/styles.xml")) {
            XMLStreamReader xml = xml(in);
            boolean inCellXfs = false;
            int xf = 0;
            while (xml.hasNext()) {
                int event = xml.next();
                if (event == START_ELEMENT) {
                    switch (xml.getLocalName()) {
                        case "numFmt" -> {
                            String id = xml.getAttributeValue(null, "numFmtId");
                            String code = xml.getAttributeValue(null, "formatCode");
                            if (id != null && code != null && isDateFormat(code)) {
                                requireRoom(dateFormats.size(), "number formats");
                                dateFormats.add(Integer.parseInt(id));
                            }
                        }
                        case "cellXfs" -> inCellXfs = true;
                        case "xf" -> {
                            if (inCellXfs) {
                                requireRoom(xf, "cell styles");
                                String id = xml.getAttributeValue(null, "numFmtId");
                                if (id != null && dateFormats.contains(Integer.parseInt(id))) {
                                    styles.add(xf);
                                }
                                xf++;
                            }
                        }
                        default -> {
                        }
                    }
                } else if (event == END_ELEMENT && xml.getLocalName().equals("cellXfs")) {
                    inCellXfs = false;
                }
            }
        } catch (XMLStreamException | NumberFormatException e) {
            throw new MalformedFile(1, 0, "xl/styles.xml is malformed");
        }
        return styles;
    }

    /** A custom format shows a date or time when, outside quotes, escapes and [colour] sections, it has d, m, y, h or s. */
    static boolean isDateFormat(String code) {
        String bare = code.replaceAll("\"[^\"]*\"", "").replaceAll("\\\\.", "").replaceAll("\\[[^]]*]", "");
        return bare.toLowerCase(java.util.Locale.ROOT).matches(".*[dmyhs].*") && !bare.contains("0") && !bare.contains("#");
    }
}
