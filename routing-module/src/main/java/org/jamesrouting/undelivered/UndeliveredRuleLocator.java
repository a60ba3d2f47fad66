package org.jamesrouting.undelivered;

import java.util.List;
import java.util.Optional;

import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.tree.ImmutableNode;

/**
 * Finds the undelivered-mail rule in {@code mailetcontainer.xml}: the parameters of the first
 * {@code UndeliveredMailRule} mailet. The SMTP RCPT hook uses it so that the rule is written
 * once, in the mailet, and both the SMTP server and the mailet apply the same one.
 */
public final class UndeliveredRuleLocator {
    public static final String MAILET_SIMPLE_NAME = "UndeliveredMailRule";

    private UndeliveredRuleLocator() {
    }

    public static Optional<UndeliveredMailPolicy> locate(HierarchicalConfiguration<ImmutableNode> mailetContainer) {
        for (HierarchicalConfiguration<ImmutableNode> processor : mailetContainer.configurationsAt("processors.processor")) {
            List<HierarchicalConfiguration<ImmutableNode>> mailets = processor.configurationsAt("mailet");
            for (HierarchicalConfiguration<ImmutableNode> mailet : mailets) {
                String className = mailet.getString("[@class]", "");
                if (className.equals(MAILET_SIMPLE_NAME) || className.endsWith("." + MAILET_SIMPLE_NAME)) {
                    return Optional.of(UndeliveredMailPolicyParser.parse(
                        Optional.ofNullable(mailet.getString(UndeliveredMailPolicyParser.DEFAULT_PARAMETER)),
                        Optional.ofNullable(mailet.getString(UndeliveredMailPolicyParser.DOMAINS_PARAMETER))));
                }
            }
        }
        return Optional.empty();
    }
}
