package org.conceptsliders.fiji;

import org.scijava.plugin.Plugin;
import org.scijava.service.AbstractService;
import org.scijava.service.Service;

/** Serves the JVM-wide {@link StudioCache#shared()}, so that Fiji's commands and ImageJ 1.x plugins share models. */
@Plugin(type = Service.class)
public final class DefaultConceptSlidersService extends AbstractService implements ConceptSlidersService {

    @Override
    public StudioCache cache() {
        return StudioCache.shared();
    }

    @Override
    public void dispose() {
        release();
    }
}
