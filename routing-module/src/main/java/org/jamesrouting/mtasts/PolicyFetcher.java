package org.jamesrouting.mtasts;

import java.io.IOException;

/** Fetches the text of a domain's MTA-STS policy. */
public interface PolicyFetcher {
    /**
     * @throws IOException why there is no policy to read now (no address, TLS refused, not 200, too big, too slow...)
     */
    String fetch(String domain) throws IOException;
}
