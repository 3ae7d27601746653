package dev.dea.sandbox;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SandboxStatusTest {
    @Test
    void packagesLabelBecomesAnOrderedMapByImportName() {
        assertThat(SandboxStatus.parsePackages(" python=3.13.5  pandas=2.2.3 matplotlib=3.10.1+dfsg1 "))
                .containsExactly(java.util.Map.entry("python", "3.13.5"), java.util.Map.entry("pandas", "2.2.3"),
                        java.util.Map.entry("matplotlib", "3.10.1+dfsg1"));
    }

    @Test
    void anImageWithoutTheLabelDeclaresNoPackages() {
        assertThat(SandboxStatus.parsePackages(null)).isEmpty();
        assertThat(SandboxStatus.parsePackages("")).isEmpty();
    }

    @Test
    void malformedPairsAreLeftOutAndTheListIsBounded() {
        assertThat(SandboxStatus.parsePackages("ok=1 noversion =2 bad=<script> x=1=2 numpy=2.2.4"))
                .containsOnlyKeys("ok", "numpy");
        assertThat(SandboxStatus.parsePackages("p=1 ".repeat(10) + "q0=1 q1=1")).hasSize(3);
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            many.append("m").append(i).append("=1 ");
        }
        assertThat(SandboxStatus.parsePackages(many.toString())).hasSize(64);
    }
}
